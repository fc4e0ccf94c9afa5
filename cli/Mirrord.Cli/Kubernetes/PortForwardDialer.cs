using System.Net;
using System.Net.WebSockets;
using Mirrord.Tunnel.Client;
using Mirrord.Tunnel.PortForward;

namespace Mirrord.Cli.Kubernetes;

/// <summary>Dials a pod's port through the API server's port-forward, one WebSocket per connection.</summary>
internal static class PortForwardDialer
{
    public static SessionDialer For(KubeContext kube, string pod, int port) => async cancellationToken =>
    {
        var describe = $"port-forward to pod {pod} port {port}";
        try
        {
            var socket = await PodStreamConnector.PortForwardAsync(kube, pod, port, cancellationToken);
            return new PortForwardStream(socket, describe);
        }
        catch (UpgradeRefusedException ex)
        {
            throw new IOException($"{describe}: {Explain(ex, kube.Namespace)}", ex);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException)
        {
            throw new IOException($"{describe}: {ex.Message}", ex);
        }
    };

    private static string Explain(UpgradeRefusedException ex, string ns) => (ex.Status, ex.StatusMessage) switch
    {
        (HttpStatusCode.Forbidden, { } message) => $"forbidden: {message}. {PortForwardPermission.Needed(ns)}",

        // The WebSocket handshake itself refuses a subprotocol it does not speak with a bare 403 (wsstream's handshake).
        (HttpStatusCode.Forbidden, null) => $"the API server, or a proxy in front of it, refused the WebSocket subprotocol {PodStreamConnector.Protocol} (403 without a Status); it does not serve port-forward over WebSocket as Kubernetes does",
        (HttpStatusCode.Unauthorized, _) => "the API server does not accept your credentials (401); log in again",
        _ => ex.Message,
    };
}
