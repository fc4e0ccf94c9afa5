using System.Net;
using System.Net.WebSockets;
using k8s;
using k8s.Autorest;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Kubernetes;

/// <summary>Dials a pod's port through the API server's port-forward (RBAC <c>pods/portforward</c>), one WebSocket per connection.</summary>
internal static class PortForwardDialer
{
    public static SessionDialer For(KubeContext kube, string pod, int port) => async cancellationToken =>
    {
        var describe = $"port-forward to pod {pod} port {port}";
        try
        {
            var socket = await kube.Client.WebSocketNamespacedPodPortForwardAsync(
                pod, kube.Namespace, [port], WebSocketProtocol.V4BinaryWebsocketProtocol, cancellationToken: cancellationToken);
            return new PortForwardStream(socket, describe);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new IOException($"{describe}: forbidden; your account needs the pods/portforward permission in namespace {kube.Namespace}", ex);
        }
        catch (Exception ex) when (ex is HttpOperationException or WebSocketException or HttpRequestException)
        {
            throw new IOException($"{describe}: {ex.Message}", ex);
        }
    };
}
