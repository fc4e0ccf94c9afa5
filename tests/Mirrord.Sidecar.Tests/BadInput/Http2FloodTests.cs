using System.Net;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.BadInput;

/// <summary>
/// HTTP/2 abuse on one connection (too many streams, rapid reset, control-frame floods) while other
/// callers use the pod and a developer's session filters its traffic: the abuser is refused or cut
/// off, everyone else is served, and nothing reaches the laptop.
/// </summary>
public sealed class Http2FloodTests : IAsyncLifetime
{
    private const int MaxStreams = 10;
    private StealEnvironment _env = null!;
    private CliSession _cli = null!;

    private int H2Port => _env.Sidecar.InboundPortFor(_env.Pod.GrpcPort);

    public async Task InitializeAsync()
    {
        _env = await StealEnvironment.StartAsync(new Dictionary<string, string?>
        {
            ["Sidecar:Limits:Http2MaxStreamsPerConnection"] = MaxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
    }

    public async Task DisposeAsync()
    {
        await _cli.DisposeAsync();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task StreamsPastTheLimit_AreRefused_AndTheAppNeverHoldsMoreThanTheLimit()
    {
        await using var abuser = await Http2FrameConnection.OpenAsync(H2Port);

        await abuser.SendAsync([.. Enumerable.Range(0, 3 * MaxStreams).Select(i => Http2FrameConnection.GetRequest((uint)(2 * i + 1), "/hold"))]);
        var frames = await abuser.ReadUntilQuietAsync(TimeSpan.FromSeconds(2));

        var refused = frames.Count(f => f.Type == Http2FrameConnection.RstStream && f.ErrorCode == Http2FrameConnection.RefusedStream);
        var cutOff = frames.Any(f => f.Type == Http2FrameConnection.GoAway);
        Assert.True(refused > 0 || cutOff, $"no stream was refused: {Describe(frames)}");
        Assert.InRange(_env.Pod.Requests.Count(r => r.PathAndQuery == "/hold"), 1, MaxStreams);
        await AssertOthersServedAsync();
    }

    [Fact]
    public async Task RapidReset_DoesNotStarveOtherCallers()
    {
        await using var abuser = await Http2FrameConnection.OpenAsync(H2Port);
        var flood = Task.Run(async () =>
        {
            uint stream = 1;
            for (var batch = 0; batch < 200; batch++)
            {
                var frames = new List<byte[]>();
                for (var i = 0; i < 50; i++, stream += 2)
                {
                    frames.Add(Http2FrameConnection.GetRequest(stream, "/whoami"));
                    frames.Add(Http2FrameConnection.Reset(stream, Http2FrameConnection.Cancel));
                }

                if (!await abuser.SendAsync([.. frames]))
                {
                    return;
                }
            }
        });

        await AssertOthersServedAsync();
        await EndedOrHeldBackAsync(flood);
        await AssertOthersServedAsync();
    }

    [Theory]
    [InlineData(Http2FrameConnection.Settings)]
    [InlineData(Http2FrameConnection.Ping)]
    public async Task ControlFrameFlood_UnreadAcks_DoNotStarveOtherCallers(byte type)
    {
        await using var abuser = await Http2FrameConnection.OpenAsync(H2Port);
        var frame = type == Http2FrameConnection.Ping
            ? Http2FrameConnection.Frame(Http2FrameConnection.Ping, 0, 0, new byte[8])
            : Http2FrameConnection.EmptySettings();

        // The abuser never reads, so every acknowledgement the sidecar owes it piles up on its side.
        var flood = Task.Run(async () =>
        {
            for (var batch = 0; batch < 100; batch++)
            {
                if (!await abuser.SendAsync([.. Enumerable.Repeat(frame, 1000)]).WaitAsync(TimeSpan.FromSeconds(5)))
                {
                    return;
                }
            }
        });

        await AssertOthersServedAsync();
        await EndedOrHeldBackAsync(flood);
        await AssertOthersServedAsync();
    }

    /// <summary>Waits for the flood to be sent, or for the sidecar to stop reading it (back-pressure, which is fine).</summary>
    private static async Task EndedOrHeldBackAsync(Task flood)
    {
        try
        {
            await flood.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // The sidecar stopped reading the abuser's connection.
        }
    }

    private async Task AssertOthersServedAsync()
    {
        using var h1 = LoopbackClients.Http11();
        using var h2 = LoopbackClients.Http2();
        for (var i = 0; i < 10; i++)
        {
            using var viaH1 = await h1.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));
            using var viaH2 = await h2.GetAsync(_env.Sidecar.UrlFor(_env.Pod.GrpcPort, "/whoami"));
            Assert.Equal("pod", await viaH1.ServedByAsync());
            Assert.Equal("pod", await viaH2.ServedByAsync());
        }

        using var healthy = await h1.GetAsync($"http://127.0.0.1:{_env.Sidecar.HealthPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Empty(_env.Laptop.Requests);
    }

    private static string Describe(IEnumerable<ReceivedFrame> frames)
        => string.Join(", ", frames.Select(f => $"type {f.Type} stream {f.StreamId} error {f.ErrorCode}"));
}
