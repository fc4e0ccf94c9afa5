using System.Text.Json;
using System.Text.Json.Nodes;
using Mirrord.Tunnel.Probes;

namespace Mirrord.Injection.Rules;

/// <summary>
/// The httpGet and grpc probes kubelet sends to the app containers on intercepted ports: the
/// sidecar passes them to the app whatever a session says. Read as kubelet reads them
/// (kubernetes pkg/probe/http/request.go: the pod IP unless <c>host</c> is set, the port by number or
/// by the container's port name, the path as written, the probe's own User-Agent if its httpHeaders
/// set one). A pod whose probes Istio's injector already moved to its agent (port 15020,
/// <c>/app-health/CONTAINER/KIND</c>; istio pkg/kube/inject/app_probe.go) has the originals in the
/// proxy's <c>ISTIO_KUBE_APP_PROBERS</c>, which pilot-agent calls with kubelet's headers: those count.
/// </summary>
public static class PodProbes
{
    private static readonly (string Field, string Kind)[] s_kinds = [("livenessProbe", "liveness"), ("readinessProbe", "readiness"), ("startupProbe", "startup")];

    /// <summary>The probes on <paramref name="intercepted"/> ports, one entry per distinct request, with the probes it serves named.</summary>
    public static IReadOnlyList<AppProbe> Of(JsonObject pod, IReadOnlyList<int> intercepted)
    {
        var istioProbers = IstioAppProbers(pod);
        var found = new List<(AppProbe Probe, string Kind)>();
        foreach (var container in PodJson.Containers(pod, "containers"))
        {
            var named = ContainerPorts.Named(container);
            var name = PodJson.String(container["name"]) ?? "?";
            foreach (var (field, kind) in s_kinds)
            {
                if (container[field] is not JsonObject probe)
                {
                    continue;
                }

                var action = IstioOriginal(probe, istioProbers) ?? probe;
                if (Read(action, named) is { } read && intercepted.Contains(read.Port))
                {
                    found.Add((read, $"{name} {kind}"));
                }
            }
        }

        return [.. found
            .GroupBy(f => f.Probe)
            .Select(group => group.Key with { Kinds = string.Join(", ", group.Select(f => f.Kind)) })];
    }

    private static AppProbe? Read(JsonObject probe, IReadOnlyDictionary<string, int> named)
    {
        if (probe["grpc"] is JsonObject grpc)
        {
            return PodJson.Int(grpc["port"]) is { } grpcPort ? new AppProbe(grpcPort, Grpc: true) : null;
        }

        if (probe["httpGet"] is not JsonObject httpGet || PodJson.String(httpGet["host"]) is { Length: > 0 }
            || ContainerPorts.Resolve(httpGet["port"], named) is not { } port)
        {
            return null;
        }

        var userAgent = (httpGet["httpHeaders"] as JsonArray)?.OfType<JsonObject>()
            .Where(h => string.Equals(PodJson.String(h["name"]), "User-Agent", StringComparison.OrdinalIgnoreCase))
            .Select(h => PodJson.String(h["value"]))
            .FirstOrDefault();
        return new AppProbe(
            port,
            AppProbe.RequestTarget(PodJson.String(httpGet["path"])),
            UserAgent: userAgent,
            Https: string.Equals(PodJson.String(httpGet["scheme"]), "HTTPS", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A probe Istio moved to its agent, as it was before: the entry of <c>ISTIO_KUBE_APP_PROBERS</c> for its path.</summary>
    private static JsonObject? IstioOriginal(JsonObject probe, JsonObject? probers)
        => probers is not null && PodJson.Field(probe, "httpGet") is JsonObject httpGet
            && PodJson.String(httpGet["path"]) is { } path && path.StartsWith("/app-health/", StringComparison.Ordinal)
                ? probers[path] as JsonObject
                : null;

    private static JsonObject? IstioAppProbers(JsonObject pod)
    {
        var text = PodJson.Containers(pod, "containers").Concat(PodJson.Containers(pod, "initContainers"))
            .SelectMany(c => (c["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(e => PodJson.String(e["name"]) == "ISTIO_KUBE_APP_PROBERS")
            .Select(e => PodJson.String(e["value"]))
            .FirstOrDefault(v => v is not null);
        try
        {
            return text is null ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
