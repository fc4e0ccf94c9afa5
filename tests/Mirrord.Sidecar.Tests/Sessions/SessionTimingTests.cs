using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Sessions;
using Mirrord.Testing;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Client;
using Mirrord.Tunnel.Protocol;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>
/// The documented timeouts of a session, on both ends, timed by a fake clock: each holds until its
/// moment has come and acts at that moment, whatever the machine's speed.
/// </summary>
public sealed class SessionTimingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string StealAlice = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [PORT] } }""";
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly SidecarOptions _defaults = new();
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(output: output.WriteLine, time: _clock);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task SilentControlConnection_KeepsItsSession_UntilTheSessionTimeoutHasPassed_ThenThePodGetsItsTrafficBack()
    {
        var (control, _) = await _env.RegisterFrozenAsync(StealAlice);
        using var _ = control;

        _clock.Advance(_defaults.SessionTimeout - s_tick);
        Assert.Single(await _env.Sidecar.ListSessionsAsync());

        _clock.Advance(s_tick);
        await Poll.UntilAsync(async () => (await _env.Sidecar.ListSessionsAsync()).Count == 0, "the silent session was removed");
        Assert.Equal("pod", await ServedByAsync("alice"));
    }

    [Fact]
    public async Task ControlConnectionThatPings_OutlivesTheSessionTimeout()
    {
        var (control, _) = await _env.RegisterFrozenAsync(StealAlice);
        using var _ = control;

        await KeepAliveAsync(control.GetStream(), _defaults.SessionTimeout * 3);

        Assert.Single(await _env.Sidecar.ListSessionsAsync());
    }

    [Fact]
    public async Task SidecarPingsTheCli_EveryPingInterval()
    {
        var (control, _) = await _env.RegisterFrozenAsync(StealAlice);
        using var _ = control;

        _clock.Advance(ControlChannel.PingInterval);

        await ReadUntilAsync<PingMessage>(control.GetStream());
    }

    [Fact]
    public async Task StolenRequest_OfASessionThatOpensNoTunnel_Gets502_OnlyOnceTheTunnelConnectTimeoutHasPassed()
    {
        // The CLI stays alive but never attaches a tunnel: only the tunnel connect timeout can end the wait.
        var (control, _) = await _env.RegisterFrozenAsync(StealAlice);
        using var _ = control;
        var stream = control.GetStream();
        using var client = LoopbackClients.Http11();

        var pending = SendAsync(client, "alice");
        await ReadUntilAsync<NeedTunnelMessage>(stream);
        await KeepAliveAsync(stream, _defaults.TunnelConnectTimeout - s_tick);
        Assert.False(pending.IsCompleted, "the stolen request was answered before the tunnel connect timeout");
        _clock.Advance(s_tick);
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(TunnelErrors.TunnelUnavailable, response.Headers.GetValues(TunnelHeaders.Error).Single());
        Assert.DoesNotContain("frozen", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(_env.Sidecar.Logs.Entries, e => e.Message.Contains($"within {_defaults.TunnelConnectTimeout.TotalSeconds:0} s", StringComparison.Ordinal) && e.Message.Contains("frozen", StringComparison.Ordinal));
        Assert.DoesNotContain(_env.Pod.Requests, r => r.Headers.TryGetValue("X-Dev", out var dev) && dev == "alice");
    }

    [Fact]
    public async Task Cli_NoticesAStalledPortForward_WhenTheSilenceTimeoutHasPassed_NotBefore()
    {
        await using var portForward = StallingProxy.To(_env.Sidecar.SessionPort);
        var incoming = StealAlice.Replace("PORT", _env.Pod.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await using var session = await SessionClient.RegisterAsync(
            async ct =>
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, portForward.Port, ct);
                return tcp.GetStream();
            },
            "stalled", incoming, onNeedTunnel: () => { }, _clock, CancellationToken.None);

        // The answer to the CLI's first ping has been read: the silence is counted from here.
        await Poll.UntilAsync(() => session.RoundTrip is not null, "the first ping was answered");
        portForward.StallOpenConnections();
        _clock.Advance(SessionClient.SilenceTimeout - s_tick);
        Assert.False(session.Ended.IsCompleted, "the CLI gave up on the session before the silence timeout");
        _clock.Advance(s_tick);

        var reason = await session.Ended.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains($"no word from the sidecar for {SessionClient.SilenceTimeout.TotalSeconds:0} s; the port-forward stalled", reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Moves the clock on as a live CLI lives through that time: it pings every half session timeout
    /// and answers the sidecar's pings. Each step waits for the answer to its ping, so the sidecar has
    /// heard the CLI before the clock moves again.
    /// </summary>
    private async Task KeepAliveAsync(NetworkStream control, TimeSpan by)
    {
        var step = _defaults.SessionTimeout / 2;
        for (var left = by; left > TimeSpan.Zero; left -= step)
        {
            await SessionFrames.WriteAsync(control, new PingMessage());
            await ReadUntilAsync<PongMessage>(control);
            _clock.Advance(left < step ? left : step);
        }
    }

    /// <summary>Reads the control connection up to a frame of this kind, answering the sidecar's pings on the way.</summary>
    private static async Task<T> ReadUntilAsync<T>(NetworkStream control)
        where T : SessionMessage
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            switch (await SessionFrames.ReadAsync(control, bound.Token))
            {
                case T wanted:
                    return wanted;
                case PingMessage:
                    await SessionFrames.WriteAsync(control, new PongMessage());
                    break;
                case null:
                    throw new InvalidOperationException($"the sidecar closed the control connection before sending {typeof(T).Name}");
            }
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, string dev)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));
        request.Headers.Add("X-Dev", dev);
        return client.SendAsync(request);
    }

    private async Task<string> ServedByAsync(string dev)
    {
        using var client = LoopbackClients.Http11();
        using var response = await SendAsync(client, dev);
        return await response.ServedByAsync();
    }
}
