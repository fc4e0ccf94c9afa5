using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Churn;

/// <summary>Callers that come and go are routine: counted, logged at debug, never warnings or errors.</summary>
public sealed class HangUpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CallersThatHangUpAtAnyPoint_AreCounted_AndNothingIsLoggedAsAWarningOrAnError()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var sidecar = await SidecarHost.StartAsync([pod.HttpPort], output: output.WriteLine);
        var port = sidecar.InboundPortFor(pod.HttpPort);
        using var connections = new KestrelConnections(port);
        string[] openings =
        [
            string.Empty,                                                               // a TCP health check or port scan
            "GET /whoa",                                                                // a request line cut short
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",                                         // the HTTP/2 preface, then nothing
            "POST /echo HTTP/1.1\r\nHost: pod\r\nContent-Length: 1000\r\n\r\nhalf a body", // a body cut short while the app reads it
        ];

        foreach (var opening in openings)
        {
            for (var i = 0; i < 30; i++)
            {
                await ConnectAndResetAsync(port, opening);
            }
        }

        await connections.FinishedAsync(4 * 30).WaitAsync(TimeSpan.FromSeconds(30));
        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{sidecar.HealthPort}/metrics");

        Assert.DoesNotContain(sidecar.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.True(MetricsText.Counter(text, "mirrord_caller_hangups_total") >= 30, text);
        Assert.Equal(0, MetricsText.Counter(text, "mirrord_errors_total", ("path", "passed")));
    }

    [Fact]
    public async Task GrpcCallsPassedToTheApp_ThatSucceed_AreNeverCountedAsFailures()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var sidecar = await SidecarHost.StartAsync([pod.GrpcPort], output: output.WriteLine);
        var client = LoopbackClients.Grpc(sidecar.UrlFor(pod.GrpcPort), out var channel);
        using (channel)
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal("pod", (await client.SayAsync(new EchoRequest { Text = $"call {i}" })).ServedBy);
            }
        }

        // A client that ends its request in a frame of its own, after the message (some gRPC stacks do): the
        // app may answer before the sidecar has read that end, and the call still succeeded.
        await using (var split = await Http2FrameConnection.OpenAsync(sidecar.InboundPortFor(pod.GrpcPort)))
        {
            var message = new byte[] { 0x0a, 5, (byte)'s', (byte)'p', (byte)'l', (byte)'i', (byte)'t' };
            for (uint stream = 1; stream < 400; stream += 2)
            {
                await split.SendAsync(
                    Http2FrameConnection.GrpcRequestHeaders(stream, "/echo.v1.Echo/Say"),
                    Http2FrameConnection.GrpcMessage(stream, message, endStream: false),
                    Http2FrameConnection.GrpcMessage(stream, [], endStream: true));
                var answer = await split.ReadUntilStreamEndsAsync(stream, TimeSpan.FromSeconds(10));
                Assert.NotNull(answer);
                Assert.DoesNotContain(answer, f => f.StreamId == stream && f.Type == Http2FrameConnection.RstStream);
                await split.SendAsync(Http2FrameConnection.Reset(stream, Http2FrameConnection.Cancel));
            }
        }

        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{sidecar.HealthPort}/metrics");

        Assert.Equal(0, MetricsText.Counter(text, "mirrord_errors_total", ("path", "passed")));
        Assert.Equal(0, MetricsText.Counter(text, "mirrord_caller_hangups_total"));
        Assert.DoesNotContain(sidecar.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    private static async Task ConnectAndResetAsync(int port, string opening)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        if (opening.Length > 0)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(opening));
        }

        // Closing with a zero linger time sends RST: the caller is gone at once, as a crashed or impatient client is.
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
