using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Mirrord.Testing.Kubernetes;

/// <summary>The port-forward endpoint of the fake API server, framed as kubelet frames it.</summary>
public sealed partial class FakeKubeApiServer
{
    private const string PortForwardProtocol = "v4.channel.k8s.io";

    /// <summary>Answers port-forwards 403 as RBAC does for an account without <c>pods/portforward</c>.</summary>
    public bool ForbidPortForward { get; set; }

    private async Task PortForwardAsync(HttpContext context, string ns, string name)
    {
        if (ForbidPortForward)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new
            {
                kind = "Status",
                apiVersion = "v1",
                status = "Failure",
                reason = "Forbidden",
                code = 403,
                message = $"pods \"{name}\" is forbidden: User \"developer\" cannot create resource \"pods/portforward\" in API group \"\" in the namespace \"{ns}\"",
            });
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest || !int.TryParse(context.Request.Query["ports"], out var port))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        int? target = null;
        lock (_gate)
        {
            if (ns == Namespace && _pods.ContainsKey(name) && _podPorts.TryGetValue(name, out var ports) && ports.TryGetValue(port, out var mapped))
            {
                target = mapped;
            }
        }

        if (target is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Interlocked.Increment(ref _portForwards);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(PortForwardProtocol);
        var prefix = new[] { (byte)(port & 0xff), (byte)(port >> 8) };
        await socket.SendAsync(new byte[] { 0, prefix[0], prefix[1] }, WebSocketMessageType.Binary, true, context.RequestAborted);
        await socket.SendAsync(new byte[] { 1, prefix[0], prefix[1] }, WebSocketMessageType.Binary, true, context.RequestAborted);

        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, target.Value, context.RequestAborted);
        }
        catch (SocketException ex)
        {
            var error = Encoding.UTF8.GetBytes($"error forwarding port {port} to pod {name}: {ex.Message}");
            await socket.SendAsync((byte[])[1, .. error], WebSocketMessageType.Binary, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return;
        }

        var stream = tcp.GetStream();
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var up = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, broken.Token);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        tcp.Client.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    // Every client message starts with its channel byte; only the data channel carries bytes.
                    var offset = received.Count > 0 && buffer[0] == 0 ? 1 : 0;
                    await stream.WriteAsync(buffer.AsMemory(offset, received.Count - offset), broken.Token);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or SocketException or OperationCanceledException)
            {
                await broken.CancelAsync();
            }
        });
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(1), broken.Token);
                    if (read == 0)
                    {
                        // The pod closed its end: say so with a close frame, after everything it sent.
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, broken.Token);
                        return;
                    }

                    buffer[0] = 0;
                    await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, true, broken.Token);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or SocketException or OperationCanceledException)
            {
                await broken.CancelAsync();
            }
        });
        await Task.WhenAll(up, down);
    }
}
