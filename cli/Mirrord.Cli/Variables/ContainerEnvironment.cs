using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Mirrord.Cli.Variables;

/// <summary>
/// A container's environment as the kubelet makes it when it starts the container (kubernetes
/// <c>pkg/kubelet/kubelet_pods.go</c>, makeEnvironmentVariables): the Service link variables
/// (<see cref="ServiceLinkVariables"/>; the pod's namespace's unless <c>enableServiceLinks</c> is false, and always the
/// <c>kubernetes</c> Service of <c>default</c>), then <c>envFrom</c> in order (with its prefix; a key that is not a valid
/// variable name is skipped; a missing optional source is skipped), then <c>env</c> in order (later wins), each
/// <c>value</c> expanded against what is defined so far and the Service variables (<see cref="VariableExpansion"/>);
/// Service variables a container defines itself are not added. What cannot be read is said, one problem per object,
/// and the rest goes on.
/// </summary>
internal static partial class ContainerEnvironment
{
    public static async Task<(IReadOnlyList<KeyValuePair<string, string>> Variables, IReadOnlyList<string> Problems)> ResolveAsync(
        V1Pod pod, string container, IEnvironmentSources sources, CancellationToken cancellationToken)
    {
        var spec = pod.Spec.Containers.FirstOrDefault(c => c.Name == container)
            ?? throw new ArgumentException($"pod {pod.Name()} has no container {container}", nameof(container));
        var problems = new List<string>();
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, value) in ServiceLinkVariables.From(await sources.ServicesAsync(pod.Spec.EnableServiceLinks != false, cancellationToken)))
            {
                services[name] = value;
            }
        }
        catch (EnvironmentSourceForbiddenException ex)
        {
            problems.Add(ex.Message);
        }

        var defined = new List<KeyValuePair<string, string>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        void Define(string name, string value)
        {
            if (index.TryGetValue(name, out var at))
            {
                defined[at] = new(name, value);
            }
            else
            {
                index[name] = defined.Count;
                defined.Add(new(name, value));
            }
        }

        foreach (var source in spec.EnvFrom ?? [])
        {
            var (kind, name, optional) = source.ConfigMapRef is { } map ? ("ConfigMap", map.Name, map.Optional == true) : ("Secret", source.SecretRef?.Name ?? string.Empty, source.SecretRef?.Optional == true);
            var (data, forbidden) = await ReadAsync(kind, name, sources, problems, cancellationToken);
            if (data is null)
            {
                if (!optional && !forbidden)
                {
                    problems.Add($"envFrom: {kind} {pod.Namespace()}/{name} does not exist (the kubelet would not start the container)");
                }

                continue;
            }

            foreach (var (key, value) in data)
            {
                var variable = (source.Prefix ?? string.Empty) + key;
                if (!VariableName().IsMatch(variable))
                {
                    problems.Add($"envFrom: {kind} {name}: key {key} is not a valid variable name and is skipped, as the kubelet skips it");
                    continue;
                }

                Define(variable, value);
            }
        }

        foreach (var variable in spec.Env ?? [])
        {
            string? Lookup(string name) => index.TryGetValue(name, out var at) ? defined[at].Value : services.GetValueOrDefault(name);
            var value = variable.ValueFrom is { } from
                ? await ValueFromAsync(pod, spec, variable.Name, from, sources, problems, cancellationToken)
                : VariableExpansion.Expand(variable.Value ?? string.Empty, Lookup);
            if (value is not null)
            {
                Define(variable.Name, value);
            }
        }

        foreach (var (name, value) in services.Where(s => !index.ContainsKey(s.Key)))
        {
            defined.Add(new(name, value));
        }

        return (defined, problems);
    }

    private static async Task<string?> ValueFromAsync(
        V1Pod pod, V1Container container, string variable, V1EnvVarSource from, IEnvironmentSources sources, List<string> problems, CancellationToken cancellationToken)
    {
        if (from.FieldRef is { } field)
        {
            return FieldValue(pod, field.FieldPath) ?? Problem(problems, $"env {variable}: fieldRef {field.FieldPath} is not a field the kubelet offers, or the pod has no value for it yet");
        }

        if (from.ResourceFieldRef is { } resource)
        {
            return ResourceValue(container, resource) ?? Problem(problems,
                $"env {variable}: resourceFieldRef {resource.Resource}: the container sets none, so the kubelet uses the node's allocatable, which is not read here");
        }

        var (kind, name, key, optional) = from.ConfigMapKeyRef is { } map
            ? ("ConfigMap", map.Name, map.Key, map.Optional == true)
            : ("Secret", from.SecretKeyRef?.Name ?? string.Empty, from.SecretKeyRef?.Key ?? string.Empty, from.SecretKeyRef?.Optional == true);
        var (data, forbidden) = await ReadAsync(kind, name, sources, problems, cancellationToken);
        if (data is not null && data.TryGetValue(key, out var value))
        {
            return value;
        }

        if (!optional && !forbidden)
        {
            problems.Add($"env {variable}: {kind} {pod.Namespace()}/{name} has no key {key} (the kubelet would not start the container)");
        }

        return null;
    }

    /// <summary>The object's data, or null when it does not exist or (<c>Forbidden</c>, said once) may not be read.</summary>
    private static async Task<(IDictionary<string, string>? Data, bool Forbidden)> ReadAsync(
        string kind, string name, IEnvironmentSources sources, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            return (kind == "ConfigMap" ? await sources.ConfigMapAsync(name, cancellationToken) : await sources.SecretAsync(name, cancellationToken), false);
        }
        catch (EnvironmentSourceForbiddenException ex)
        {
            if (!problems.Contains(ex.Message))
            {
                problems.Add(ex.Message);
            }

            return (null, true);
        }
    }

    /// <summary>The fields a fieldRef may name (kubernetes <c>pkg/kubelet/kubelet_pods.go</c>, podFieldSelectorRuntimeValue, and <c>pkg/fieldpath</c>).</summary>
    private static string? FieldValue(V1Pod pod, string path)
    {
        var labelOrAnnotation = MapField().Match(path);
        if (labelOrAnnotation.Success)
        {
            var map = labelOrAnnotation.Groups[1].Value == "labels" ? pod.Metadata.Labels : pod.Metadata.Annotations;
            return map?.TryGetValue(labelOrAnnotation.Groups[2].Value, out var value) == true ? value : string.Empty;
        }

        return path switch
        {
            "metadata.name" => pod.Name(),
            "metadata.namespace" => pod.Namespace(),
            "metadata.uid" => pod.Metadata.Uid,
            "spec.nodeName" => pod.Spec.NodeName,
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName,
            "status.hostIP" => pod.Status?.HostIP,
            "status.hostIPs" => pod.Status?.HostIPs is { Count: > 0 } hosts ? string.Join(',', hosts.Select(h => h.Ip)) : pod.Status?.HostIP,
            "status.podIP" => pod.Status?.PodIP,
            "status.podIPs" => pod.Status?.PodIPs is { Count: > 0 } ips ? string.Join(',', ips.Select(p => p.Ip)) : pod.Status?.PodIP,
            _ => null,
        };
    }

    /// <summary>
    /// A resourceFieldRef as the kubelet computes it (kubernetes <c>pkg/api/v1/resource/helpers.go</c>,
    /// ExtractContainerResourceValue): the request or limit divided by the divisor (default 1), rounded up.
    /// </summary>
    private static string? ResourceValue(V1Container container, V1ResourceFieldSelector selector)
    {
        var (kind, resource) = selector.Resource.Split('.', 2) switch
        {
            ["limits", var r] => (container.Resources?.Limits, r),
            ["requests", var r] => (container.Resources?.Requests, r),
            _ => (null, string.Empty),
        };
        if (kind is null || !kind.TryGetValue(resource, out var quantity))
        {
            return null;
        }

        var divisor = selector.Divisor?.ToDecimal() is { } d && d != 0 ? d : 1m;
        return Math.Ceiling(quantity.ToDecimal() / divisor).ToString(CultureInfo.InvariantCulture);
    }

    private static string? Problem(List<string> problems, string message)
    {
        problems.Add(message);
        return null;
    }

    // kubernetes pkg/apis/core/validation: an environment variable name from envFrom must be a C identifier-like name (IsEnvVarName).
    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(.+)'\]$")]
    private static partial Regex MapField();
}
