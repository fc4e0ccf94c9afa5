using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Runs a command in a pod's container through the exec API, as <c>kubectl exec</c> does, over the
/// same WebSocket dial as a port-forward (<see cref="PodStreamConnector"/>). The v4 channel protocol:
/// each message's first byte is its channel, 1 stdout, 2 stderr, 3 the outcome as a v1 Status
/// (Success, or Failure with reason NonZeroExitCode and the code in a cause of reason ExitCode;
/// kubernetes staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go and
/// pkg/kubelet/cri/streaming/remotecommand/websocket.go). The API server authorizes it as pods/exec.
/// </summary>
internal static class PodExec
{
    /// <summary>The command's exit code and output.</summary>
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <exception cref="UpgradeRefusedException">The API server refused the exec (RBAC, a missing pod).</exception>
    /// <exception cref="InvalidDataException">The exec did not say how the command ended (a container that does not exist, a runtime error).</exception>
    public static async Task<Result> RunAsync(KubeContext kube, string pod, string container, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        using var socket = await PodStreamConnector.ExecAsync(kube, pod, container, command, cancellationToken);
        var output = new StringBuilder();
        var error = new StringBuilder();
        string? status = null;
        var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var bytes = message.ToArray();
            message.SetLength(0);
            if (bytes.Length == 0)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1);
            switch (bytes[0])
            {
                case 1:
                    output.Append(text);
                    break;
                case 2:
                    error.Append(text);
                    break;
                case 3:
                    status = text;
                    break;
            }
        }

        return new Result(ExitCode(status, error.ToString()), output.ToString(), error.ToString());
    }

    private static int ExitCode(string? status, string error)
    {
        if (status is null)
        {
            throw new InvalidDataException($"the exec ended without a status{(error.Length == 0 ? string.Empty : $": {error.Trim()}")}");
        }

        using var json = JsonDocument.Parse(status);
        var root = json.RootElement;
        if (root.TryGetProperty("status", out var outcome) && outcome.GetString() == "Success")
        {
            return 0;
        }

        if (root.TryGetProperty("reason", out var reason) && reason.GetString() == "NonZeroExitCode"
            && root.TryGetProperty("details", out var details) && details.TryGetProperty("causes", out var causes))
        {
            foreach (var cause in causes.EnumerateArray())
            {
                if (cause.TryGetProperty("reason", out var kind) && kind.GetString() == "ExitCode"
                    && int.TryParse(cause.GetProperty("message").GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
                {
                    return code;
                }
            }
        }

        throw new InvalidDataException(root.TryGetProperty("message", out var text) ? text.GetString() : status);
    }
}
