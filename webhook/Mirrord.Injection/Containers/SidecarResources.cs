using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mirrord.Injection.Containers;

/// <summary>The sidecar's resources: the webhook's defaults, overridden per pod by annotations.</summary>
internal sealed partial record SidecarResources(string CpuRequest, string MemoryRequest, string MemoryLimit)
{
    public static (SidecarResources? Resources, string? Error) Resolve(JsonObject pod, InjectionOptions options)
    {
        var cpu = Read(pod, PodAnnotations.SidecarCpuRequest, options.CpuRequest, out var cpuError);
        var memory = Read(pod, PodAnnotations.SidecarMemoryRequest, options.MemoryRequest, out var memoryError);
        var limit = Read(pod, PodAnnotations.SidecarMemoryLimit, options.MemoryLimit, out var limitError);
        var error = cpuError ?? memoryError ?? limitError;
        if (error is not null)
        {
            return (null, error);
        }

        // The API server rejects a pod whose request exceeds its limit: a lower limit annotation pulls
        // the default request down with it, and an explicit request over the limit is refused here.
        if (Bytes(memory) > Bytes(limit))
        {
            if (PodJson.Annotation(pod, PodAnnotations.SidecarMemoryRequest) is not null)
            {
                return (null, $"annotation {PodAnnotations.SidecarMemoryRequest}: {memory} is more than the sidecar's memory limit {limit} ({PodAnnotations.SidecarMemoryLimit})");
            }

            memory = limit;
        }

        return (new SidecarResources(cpu, memory, limit), null);
    }

    private static decimal Bytes(string quantity)
    {
        var match = Quantity().Match(quantity);
        var number = decimal.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return number * match.Groups["suffix"].Value switch
        {
            "m" => 0.001m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "P" => 1e15m,
            "E" => 1e18m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
            "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
            _ => 1m,
        };
    }

    private static string Read(JsonObject pod, string annotation, string fallback, out string? error)
    {
        error = null;
        if (PodJson.Annotation(pod, annotation) is not { } value)
        {
            return fallback;
        }

        if (!Quantity().IsMatch(value))
        {
            error = $"annotation {annotation}: \"{value}\" is not a Kubernetes quantity (e.g. 50m, 64Mi)";
        }

        return value;
    }

    [GeneratedRegex(@"^(?<number>[0-9]{1,10}(\.[0-9]{1,6})?)(?<suffix>m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$")]
    private static partial Regex Quantity();
}
