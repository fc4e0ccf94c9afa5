using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// The exec endpoint of the fake API server, as the API server and kubelet serve it:
/// <list type="bullet">
/// <item>RBAC on pods/exec for the pod by name: a WebSocket exec is a GET, authorized as <c>get</c>, and from 1.35
/// also as <c>create</c> (feature gate AuthorizePodWebsocketUpgradeCreatePermission, as for port-forward); a refusal
/// is a 403 Status (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go; handlers/responsewriters/errors.go).</item>
/// <item>A container the pod does not have is a 400 Status before any upgrade (pkg/registry/core/pod/strategy.go, ExecLocation:
/// "container X is not valid for pod Y").</item>
/// <item>Once upgraded (subprotocol <c>v4.channel.k8s.io</c>), the command's output on channels 1 and 2, then its outcome
/// on channel 3 as a v1 Status: Success, or Failure with reason NonZeroExitCode and the exit code in a cause of reason
/// ExitCode (staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go;
/// pkg/kubelet/cri/streaming/remotecommand/websocket.go and httpstream.go, writeStatus), then the close.</item>
/// </list>
/// What runs is the test's <see cref="Exec"/>: the pod's containers live on this machine.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private int _execs;

    /// <summary>Runs a command in a pod's container (pod, container, command); null: exec is not served.</summary>
    public Func<string, string, IReadOnlyList<string>, Task<ExecOutcome>>? Exec { get; set; }

    /// <summary>The containers each pod has, for exec (default: mirrord-sidecar and app).</summary>
    public IReadOnlyList<string> ExecContainers { get; set; } = [Injection.PodAnnotations.SidecarContainer, "app"];

    /// <summary>How many exec sessions were opened.</summary>
    public int Execs => Volatile.Read(ref _execs);

    private async Task ExecAsync(HttpContext context, string ns, string name)
    {
        foreach (var verb in MinorVersion >= 35 ? new[] { "get", "create" } : ["get"])
        {
            if (!Allowed(verb, "pods/exec", name))
            {
                await ForbiddenAsync(context, verb, "pods/exec", name, ns);
                return;
            }
        }

        bool exists;
        lock (_gate)
        {
            exists = ns == Namespace && _pods.ContainsKey(name);
        }

        var container = context.Request.Query["container"].ToString();
        if (!exists)
        {
            await StatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
            return;
        }

        if (!ExecContainers.Contains(container))
        {
            await StatusAsync(context, 400, "BadRequest", $"container {container} is not valid for pod {name}");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(BinaryProtocol))
        {
            await StatusAsync(context, 400, "BadRequest", "Upgrade request required");
            return;
        }

        Interlocked.Increment(ref _execs);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(BinaryProtocol);
        var command = context.Request.Query["command"].Select(part => part ?? string.Empty).ToList();
        var outcome = Exec is { } run ? await run(name, container, command) : new ExecOutcome(127, string.Empty, "exec is not served here");
        foreach (var (channel, text) in new[] { ((byte)1, outcome.Output), ((byte)2, outcome.Error) })
        {
            if (text.Length > 0)
            {
                await socket.SendAsync((byte[])[channel, .. Encoding.UTF8.GetBytes(text)], WebSocketMessageType.Binary, true, context.RequestAborted);
            }
        }

        var status = outcome.ExitCode == 0
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code {outcome.ExitCode}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = outcome.ExitCode.ToString(CultureInfo.InvariantCulture) }),
                },
            };
        await socket.SendAsync((byte[])[3, .. Encoding.UTF8.GetBytes(status.ToJsonString())], WebSocketMessageType.Binary, true, context.RequestAborted);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}

/// <summary>How a command run through exec ended: its exit code and its output.</summary>
public sealed record ExecOutcome(int ExitCode, string Output, string Error);
