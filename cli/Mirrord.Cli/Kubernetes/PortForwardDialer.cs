using System.Net;
using System.Net.WebSockets;
using k8s;
using k8s.Autorest;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Kubernetes;

/// <summary>Dials a pod's port through the API server's port-forward (RBAC <c>pods/portforward</c>), one WebSocket per connection.</summary>
internal static class PortForwardDialer
{
    private static readonly System.Text.RegularExpressions.Regex s_statusInMessage = new("'([1-5][0-9]{2})'", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static SessionDialer For(KubeContext kube, string pod, int port) => async cancellationToken =>
    {
        var describe = $"port-forward to pod {pod} port {port}";
        try
        {
            var socket = await kube.Client.WebSocketNamespacedPodPortForwardAsync(
                pod, kube.Namespace, [port], WebSocketProtocol.V4BinaryWebsocketProtocol, cancellationToken: cancellationToken);
            return new PortForwardStream(socket, describe);
        }
        catch (Exception ex) when (StatusOf(ex) == HttpStatusCode.Forbidden)
        {
            throw new IOException(
                $"{describe}: forbidden; your account needs the pods/portforward permission (verb create) in namespace {kube.Namespace}. " +
                $"Check with: kubectl auth can-i create pods/portforward -n {kube.Namespace}", ex);
        }
        catch (Exception ex) when (ex is HttpOperationException or WebSocketException or HttpRequestException)
        {
            throw new IOException($"{describe}: {ex.Message}", ex);
        }
    };

    // The upgrade is refused before any WebSocket exists, so the status only shows in the exception's message.
    private static HttpStatusCode? StatusOf(Exception ex) => ex switch
    {
        HttpOperationException http => http.Response.StatusCode,
        WebSocketException when s_statusInMessage.Match(ex.Message) is { Success: true } match => (HttpStatusCode)int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
