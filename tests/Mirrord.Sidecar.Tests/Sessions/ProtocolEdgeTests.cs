using System.Net;
using System.Net.WebSockets;
using System.Text;
using Mirrord.Testing;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>WebSockets, breakpoints, back-pressure and metrics: what a developer and an operator notice.</summary>
public sealed class ProtocolEdgeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(new Dictionary<string, string?>
    {
        // Long enough that a WebSocket's first exchange on a loaded machine is not taken for idleness.
        ["Sidecar:Limits:PassThroughIdleTimeout"] = "00:00:03",
        ["Sidecar:MirroredCopiesPerSecond"] = "1",
    }, output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Theory]
    [InlineData("bob", "pod")]
    [InlineData("alice", "laptop")]
    public async Task WebSocket_UpgradeFollowsTheFilter_BothWays(string dev, string expected)
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Dev", dev);

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_env.Sidecar.InboundPortFor(_env.Pod.HttpPort)}/ws"), CancellationToken.None);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal($"{expected}: ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task PassThrough_WithAnIdleLimitSet_AnIdleWebSocketIsClosedAfterIt()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_env.Sidecar.InboundPortFor(_env.Pod.HttpPort)}/ws"), CancellationToken.None);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Nothing moves either way; the platform team's limit (3 s here) ends it, not the test's patience.
        var ended = await Record.ExceptionAsync(async () => await socket.ReceiveAsync(new byte[16], patience.Token));

        Assert.False(patience.IsCancellationRequested, "the idle WebSocket was still open after 30 s");
        Assert.True(ended is WebSocketException || socket.State is WebSocketState.CloseReceived or WebSocketState.Aborted, $"unexpected end: {ended}");
    }

    [Fact]
    public async Task StolenRequest_HeldLongerThanThePassThroughTimeout_StillCompletes()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var pending = await _env.HoldAlicesRequestAsync(client);

        // Sitting at a breakpoint: twice the activity timeout that applies to pass-through requests.
        await Task.Delay(TimeSpan.FromSeconds(6));
        _env.Laptop.Release.TrySetResult();
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("laptop released\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Mirror_OverTheRateLimit_DropsCopiesButServesEveryRequest()
    {
        await using var cli = await _env.ConnectAsync("mirror", "\"path_filter\": \"^/whoami\"");
        using var client = LoopbackClients.Http11();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, $"/whoami?n={i}"));
            Assert.Equal("pod", await response.ServedByAsync());
        }

        var metrics = await client.GetStringAsync($"http://127.0.0.1:{_env.Sidecar.HealthPort}/metrics");
        Assert.Equal(4, MetricsText.Counter(metrics, "mirrord_mirror_copies_total", ("outcome", "dropped")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_mirror_copies_total", ("outcome", "sent")));
        Assert.Equal(5, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "mirrored"), ("protocol", "http/1.1")));
    }

    [Fact]
    public async Task Metrics_CountDecisionsAndSessions_AndTimeEachRequestByDecision()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        using (var stolen = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami")))
        {
            stolen.Headers.Add("X-Dev", "alice");
            (await client.SendAsync(stolen)).Dispose();
        }

        (await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"))).Dispose();

        // A duration is recorded once the sidecar is done with the exchange, which may be just after the caller has its answer.
        var metrics = string.Empty;
        await Poll.UntilAsync(
            async () =>
            {
                metrics = await client.GetStringAsync($"http://127.0.0.1:{_env.Sidecar.HealthPort}/metrics");
                return MetricsText.Total(metrics, "mirrord_request_duration_seconds_count") == 2;
            },
            "both requests timed");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "stolen"), ("protocol", "http/1.1")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        Assert.Equal(1, MetricsText.Find(metrics, "mirrord_sessions_active"));
        Assert.True(MetricsText.Find(metrics, "mirrord_session_tunnels") >= 1, metrics);
        foreach (var decision in new[] { "stolen", "passed" })
        {
            (string, string)[] series = [("decision", decision), ("protocol", "http/1.1"), ("outcome", "answered")];
            Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_request_duration_seconds_count", series));
            Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_request_duration_seconds_bucket", [.. series, ("le", "+Inf")]));
        }

        // Kestrel's and the runtime's own meters come with the sidecar's.
        Assert.Contains("\nkestrel_active_connections{", metrics, StringComparison.Ordinal);
        Assert.NotNull(MetricsText.Find(metrics, "dotnet_process_memory_working_set_bytes"));
    }
}
