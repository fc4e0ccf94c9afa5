using System.Globalization;
using System.Text.Json.Nodes;
using Mirrord.Injection.Patching;
using Mirrord.Tunnel;

namespace Mirrord.Injection.Rules;

/// <summary>
/// HTTP and gRPC probes keep going to the app: kubelet's requests arrive through the redirect and
/// the sidecar passes them on. A tcpSocket probe on an intercepted port would be answered by the
/// sidecar's own listener whatever the app's state, so it is rewritten, as Istio rewrites probes
/// for its redirect (pkg/kube/inject/app_probe.go), into an httpGet on the sidecar's health port
/// whose handler dials the app's port (<see cref="SidecarPorts.AppTcpProbePath"/>). Every other
/// field of the probe is kept; the original tcpSocket is recorded in the status annotation.
/// </summary>
internal static class TcpProbeRewrite
{
    private static readonly string[] s_probes = ["livenessProbe", "readinessProbe", "startupProbe"];

    public static (List<JsonPatchOperation> Operations, List<RewrittenProbe> Rewritten, List<string> Lines) Plan(JsonObject pod, IReadOnlyList<int> intercepted)
    {
        var operations = new List<JsonPatchOperation>();
        var rewritten = new List<RewrittenProbe>();
        var lines = new List<string>();
        var containers = PodJson.Field(pod["spec"], "containers") as JsonArray ?? [];
        for (var index = 0; index < containers.Count; index++)
        {
            if (containers[index] is not JsonObject container)
            {
                continue;
            }

            var named = ContainerPorts.Named(container);
            var name = PodJson.String(container["name"]) ?? $"#{index}";
            foreach (var kind in s_probes)
            {
                if (container[kind] is not JsonObject probe || probe["tcpSocket"] is not JsonObject tcpSocket
                    || PodJson.String(tcpSocket["host"]) is { Length: > 0 }
                    || ContainerPorts.Resolve(tcpSocket["port"], named) is not { } port || !intercepted.Contains(port))
                {
                    continue;
                }

                var path = SidecarPorts.AppTcpProbePath + port.ToString(CultureInfo.InvariantCulture);
                var replacement = probe.DeepClone().AsObject();
                replacement.Remove("tcpSocket");
                replacement["httpGet"] = new JsonObject { ["path"] = path, ["port"] = SidecarPorts.Health, ["scheme"] = "HTTP" };
                operations.Add(JsonPatchOperation.Replace($"/spec/containers/{index}/{kind}", replacement));
                rewritten.Add(new RewrittenProbe(name, kind, tcpSocket.DeepClone().AsObject()));
                lines.Add($"container {name}: its tcpSocket {kind} on port {port} now asks the sidecar (httpGet :{SidecarPorts.Health}{path}), " +
                          "which dials the app's port: the probe fails when the app does, not only when the sidecar does");
            }
        }

        return (operations, rewritten, lines);
    }
}
