using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// The port-forward endpoint of the fake API server, as the API server and kubelet serve it:
/// <list type="bullet">
/// <item>RBAC <c>get</c> on pods/portforward (the WebSocket upgrade is a GET), and from 1.35 <c>create</c> too; a pod that does not exist is a 404 Status (pkg/registry/core/pod/strategy.go, PortForwardLocation).</item>
/// <item>Subprotocol negotiation (staging/src/k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go, handshake):
/// <c>v4.channel.k8s.io</c> (binary), <c>v4.base64.channel.k8s.io</c> (text, channel as an ASCII digit, payload
/// base64) or none at all (binary); anything else gets 403 with an empty body from the WebSocket library.</item>
/// <item>Once upgraded, the port number (little-endian) first on the data and the error channel, even when
/// nothing listens on the port; a failed dial is then a message on the error channel and the end
/// (pkg/kubelet/cri/streaming/portforward/websocket.go).</item>
/// <item>Messages are routed by their first byte after reassembly, so a message split in fragments counts once (conn.go, handle).</item>
/// <item>No half-close: either end closing closes both directions and the pod connection.</item>
/// </list>
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private const string BinaryProtocol = "v4.channel.k8s.io";
    private const string Base64Protocol = "v4.base64.channel.k8s.io";

    private readonly HashSet<HttpContext> _openPortForwards = [];

    /// <summary>The subprotocols the kubelet agrees to (the empty string: a client that asks for none).</summary>
    public IReadOnlyList<string> PortForwardProtocols { get; set; } = [BinaryProtocol, Base64Protocol, string.Empty];

    private async Task PortForwardAsync(HttpContext context, string ns, string name)
    {
        foreach (var verb in MinorVersion >= 35 ? new[] { "get", "create" } : ["get"])
        {
            if (!Allowed(verb, "pods/portforward", name))
            {
                await ForbiddenAsync(context, verb, "pods/portforward", name, ns);
                return;
            }
        }

        int? target = null;
        bool exists;
        lock (_gate)
        {
            exists = ns == Namespace && _pods.ContainsKey(name);
            if (exists && _podPorts.TryGetValue(name, out var ports) && int.TryParse(context.Request.Query["ports"], out var asked) && ports.TryGetValue(asked, out var mapped))
            {
                target = mapped;
            }
        }

        if (!exists)
        {
            await StatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest || !int.TryParse(context.Request.Query["ports"], out var port))
        {
            await StatusAsync(context, 400, "BadRequest", "Upgrade request required");
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var chosen = (offered.Count == 0 ? [string.Empty] : offered).FirstOrDefault(PortForwardProtocols.Contains);
        if (chosen is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        Interlocked.Increment(ref _portForwards);
        using var open = new OpenPortForward(_openPortForwards, context);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(chosen.Length == 0 ? null : chosen);
        var frames = new ChannelFrames(socket, chosen == Base64Protocol);
        byte[] prefix = [(byte)(port & 0xff), (byte)(port >> 8)];
        await frames.SendAsync(0, prefix, context.RequestAborted);
        await frames.SendAsync(1, prefix, context.RequestAborted);

        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            // A port the pod does not serve: nothing listens on the loopback port 1 either.
            await tcp.ConnectAsync(IPAddress.Loopback, target ?? 1, context.RequestAborted);
        }
        catch (SocketException ex)
        {
            await frames.SendAsync(1, Encoding.UTF8.GetBytes($"error forwarding port {port} to pod {name}, uid : failed to connect to localhost:{port}: {ex.Message}"), CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return;
        }

        var stream = tcp.GetStream();
        var aborted = context.RequestAborted;
        var up = Task.Run(async () =>
        {
            try
            {
                while (await frames.ReceiveAsync(aborted) is { } message)
                {
                    if (message.Channel == 0)
                    {
                        await stream.WriteAsync(message.Payload, aborted);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or SocketException or OperationCanceledException or FormatException)
            {
                // Ends below either way.
            }

            // The client closed: both directions end, and so does the connection to the pod.
            tcp.Close();
        });
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, aborted)) > 0)
                {
                    await frames.SendAsync(0, buffer.AsMemory(0, read), aborted);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Ends below either way.
            }

            // The pod closed (or the client did): a close frame after everything the pod sent ends the stream for both.
            await frames.CloseAsync();
        });
        await down;
        await up.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Drops every open port-forward, as the connections through a stopping API server drop.</summary>
    private void AbortPortForwards()
    {
        // Under the lock a listed context is still inside its handler, so Kestrel has not yet disposed it.
        lock (_openPortForwards)
        {
            foreach (var context in _openPortForwards)
            {
                context.Abort();
            }

            _openPortForwards.Clear();
        }
    }

    /// <summary>Lists a port-forward among the open ones for as long as it is in scope.</summary>
    private sealed class OpenPortForward : IDisposable
    {
        private readonly HashSet<HttpContext> _open;
        private readonly HttpContext _context;

        public OpenPortForward(HashSet<HttpContext> open, HttpContext context)
        {
            _open = open;
            _context = context;
            lock (_open)
            {
                _open.Add(context);
            }
        }

        public void Dispose()
        {
            lock (_open)
            {
                _open.Remove(_context);
            }
        }
    }

    /// <summary>The channel framing of one port-forward WebSocket, in its binary or base64 form.</summary>
    private sealed class ChannelFrames(WebSocket socket, bool base64)
    {
        private readonly SemaphoreSlim _send = new(1, 1);

        public async Task SendAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            byte[] message = base64
                ? Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(payload.Span))
                : [channel, .. payload.Span];
            await _send.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(message, base64 ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, cancellationToken);
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task CloseAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _send.WaitAsync(timeout.Token);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                finally
                {
                    _send.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client is gone already.
            }
        }

        /// <summary>The next whole message (its fragments put together), or null once the client closed.</summary>
        public async Task<(byte Channel, byte[] Payload)?> ReceiveAsync(CancellationToken cancellationToken)
        {
            var message = new ArrayBufferWriter<byte>();
            while (true)
            {
                var result = await socket.ReceiveAsync(message.GetMemory(64 * 1024), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Advance(result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (message.WrittenCount == 0)
                {
                    message.Clear();
                    continue;
                }

                var bytes = message.WrittenSpan;
                return base64
                    ? ((byte)(bytes[0] - '0'), Convert.FromBase64String(Encoding.ASCII.GetString(bytes[1..])))
                    : (bytes[0], bytes[1..].ToArray());
            }
        }
    }
}
