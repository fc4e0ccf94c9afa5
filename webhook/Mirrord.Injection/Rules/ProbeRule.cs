using System.Text.Json.Nodes;

namespace Mirrord.Injection.Rules;

/// <summary>
/// Probes keep working unchanged: kubelet's HTTP and gRPC probes arrive through the redirect and
/// the sidecar passes them to the container. A tcpSocket probe on an intercepted port would be
/// answered by the sidecar's accept, whatever the app's state: that is worth a warning.
/// </summary>
internal static class ProbeRule
{
    private static readonly string[] s_probes = ["livenessProbe", "readinessProbe", "startupProbe"];

    public static IEnumerable<string> Warnings(JsonObject pod, IReadOnlyList<int> intercepted)
    {
        foreach (var container in PodJson.Containers(pod, "containers"))
        {
            var ports = (container["ports"] as JsonArray)?.OfType<JsonObject>()
                .Where(p => PodJson.String(p["name"]) is not null && PodJson.Int(p["containerPort"]) is not null)
                .DistinctBy(p => PodJson.String(p["name"]), StringComparer.Ordinal)
                .ToDictionary(p => PodJson.String(p["name"])!, p => PodJson.Int(p["containerPort"])!.Value, StringComparer.Ordinal) ?? [];
            foreach (var kind in s_probes)
            {
                if (PodJson.Field(PodJson.Field(container[kind], "tcpSocket"), "port") is not { } portNode)
                {
                    continue;
                }

                var port = PodJson.Int(portNode) ?? (PodJson.String(portNode) is { } name && ports.TryGetValue(name, out var named) ? named : (int?)null);
                if (port is { } p && intercepted.Contains(p))
                {
                    yield return $"container {PodJson.String(container["name"])}: its tcpSocket {kind} on port {p} is answered by the sidecar's listener " +
                                 "while the sidecar runs, even if the app is down; prefer an httpGet or grpc probe";
                }
            }
        }
    }
}
