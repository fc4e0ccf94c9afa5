using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mirrord.Tunnel.PortForward;

namespace Mirrord.Tunnel.Tests;

/// <summary>
/// What <see cref="PortForwardStream"/> makes of the messages a kubelet may send: each case is a
/// script of WebSocket frames (channel byte first in each message, the port prefix first on each
/// channel) and what a reader of the stream gets.
/// </summary>
public sealed class PortForwardFramingTests
{
    private const byte Data = 0;
    private const byte Error = 1;
    private static readonly byte[] s_port = [0x9B, 0x3A]; // 15003, little-endian

    public static TheoryData<string, Frame[], string> Scripts => new()
    {
        { "prefixes in their own messages", [new([Data, .. s_port]), new([Error, .. s_port]), new([Data, .. "hello"u8])], "hello" },
        { "prefix and data in one message", [new([Data, .. s_port, .. "hello"u8])], "hello" },
        { "prefix split across messages", [new([Data, s_port[0]]), new([Data, s_port[1], .. "hel"u8]), new([Data, .. "lo"u8])], "hello" },
        { "a message in fragments, the channel byte only in the first", [new([Data, .. s_port, .. "he"u8], EndOfMessage: false), new("llo"u8.ToArray())], "hello" },
        { "fragments of one message longer than a read buffer", [new([Data, .. s_port, .. Enumerable.Repeat((byte)'a', 70_000)], EndOfMessage: false), new("!"u8.ToArray())], new string('a', 70_000) + "!" },
        { "an unknown channel is ignored", [new([Data, .. s_port]), new([7, .. "noise"u8]), new([Data, .. "hello"u8])], "hello" },
        { "an empty data message carries nothing", [new([Data, .. s_port]), new([Data]), new([Data, .. "hello"u8])], "hello" },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task KubeletFrames_ReadAsTheBytesThePodSent(string name, Frame[] script, string expected)
    {
        await using var kubelet = await ScriptedKubelet.StartAsync(script, closeAfter: true);
        using var stream = new PortForwardStream(await kubelet.ConnectAsync(), $"pod orders-a port 15003 ({name})");

        Assert.Equal(expected, await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync());
    }

    [Fact]
    public async Task AMessageOnTheErrorChannel_EndsTheStreamWithIt()
    {
        await using var kubelet = await ScriptedKubelet.StartAsync(
            [new([Data, .. s_port]), new([Error, .. s_port]), new([Error, .. "error forwarding port 15003 to pod orders-a: connection refused"u8])], closeAfter: true);
        using var stream = new PortForwardStream(await kubelet.ConnectAsync(), "pod orders-a port 15003");

        var error = await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[16]).AsTask());

        Assert.Contains("pod orders-a port 15003: error forwarding port 15003 to pod orders-a: connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_GoOnTheDataChannel_OneMessageEach()
    {
        await using var kubelet = await ScriptedKubelet.StartAsync([new([Data, .. s_port])], closeAfter: false);
        await using var stream = new PortForwardStream(await kubelet.ConnectAsync(), "pod orders-a port 15003");

        await stream.WriteAsync("ping"u8.ToArray());

        var received = await kubelet.Received.Reader.ReadAsync();
        Assert.Equal([Data, .. "ping"u8], received);
    }

    public sealed record Frame(byte[] Bytes, bool EndOfMessage = true);

    /// <summary>A WebSocket server that sends a script of frames, records what it receives, then closes (or waits).</summary>
    private sealed class ScriptedKubelet : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ScriptedKubelet(WebApplication app) => _app = app;

        public System.Threading.Channels.Channel<byte[]> Received { get; } = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();

        public static async Task<ScriptedKubelet> StartAsync(Frame[] script, bool closeAfter)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var kubelet = new ScriptedKubelet(app);
            app.UseWebSockets();
            app.Map("/portforward", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync("v4.channel.k8s.io");
                foreach (var frame in script)
                {
                    await socket.SendAsync(frame.Bytes, WebSocketMessageType.Binary, frame.EndOfMessage, CancellationToken.None);
                }

                if (closeAfter)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }

                var buffer = new byte[64 * 1024];
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    kubelet.Received.Writer.TryWrite(buffer[..result.Count]);
                }
            });
            await app.StartAsync();
            return kubelet;
        }

        public async Task<WebSocket> ConnectAsync()
        {
            var client = new ClientWebSocket();
            client.Options.AddSubProtocol("v4.channel.k8s.io");
            await client.ConnectAsync(new Uri(_app.Urls.First().Replace("http", "ws", StringComparison.Ordinal) + "/portforward"), CancellationToken.None);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
