using System.Net.Sockets;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;
using Mirrord.Tunnel.Probes;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Routing;

/// <summary>
/// The pod's own probes reach the app whatever a session says: a whole-port steal or a filter that
/// happens to match a probe takes everything else, never kubelet's liveness, readiness or startup
/// request (a developer at a breakpoint must not get the app restarted). Mirror sessions still get copies.
/// </summary>
public sealed class ProbeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(pod => new Dictionary<string, string?>
    {
        // As the webhook writes them for a pod with these probes (Mirrord.Injection.Rules.PodProbes).
        ["Sidecar:Probes"] = AppProbeList.Format(
        [
            new AppProbe(pod.HttpPort, "/health/live", Kinds: "app liveness"),
            new AppProbe(pod.GrpcPort, Grpc: true, Kinds: "app readiness"),
        ]),
    }, output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task UnfilteredSteal_TakesThePortButNotKubeletsProbes()
    {
        await using var cli = await _env.ConnectAsync("steal");

        Assert.Equal("pod", await KubeletProbe.HttpGetAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/health/live")));
        Assert.Equal("pod", await KubeletProbe.GrpcCheckAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.GrpcPort, "/")));

        // The rest of the probe ports goes to the laptop: another path, or the probe's path from another caller.
        Assert.Equal("laptop", await KubeletProbe.HttpGetAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami")));
        using var client = LoopbackClients.Http11();
        using var curl = await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/health/live"));
        Assert.Equal("laptop", await curl.ServedByAsync());
        var reply = await LoopbackClients.Grpc(_env.Sidecar.UrlFor(_env.Pod.GrpcPort, "/"), out var channel).SayAsync(new() { Text = "hi" });
        channel.Dispose();
        Assert.Equal("laptop", reply.ServedBy);

        // A port without probes is still taken whole at the connection level, whatever it speaks.
        using var database = new TcpClient();
        await database.ConnectAsync(System.Net.IPAddress.Loopback, _env.Sidecar.InboundPortFor(_env.PodDb.Port));
        Assert.Equal(("HELLO from laptop-db", "SELECT 1"), await TcpEchoServer.TalkAsync(database.Client, "select 1"));

        // The developer is told.
        Assert.Contains(cli.Lines, line => line.Contains($"port {_env.Pod.HttpPort}: taken whole", StringComparison.Ordinal)
            && line.Contains($"the pod's probes (GET /health/live on port {_env.Pod.HttpPort} (app liveness)) still reach the app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FilterThatMatchesAProbe_StillLeavesTheProbeToTheApp_AndMirrorsGetACopy()
    {
        await using var steal = await _env.ConnectAsync("steal", "\"path_filter\": \"^/health\"");

        Assert.Equal("pod", await KubeletProbe.HttpGetAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/health/live")));
        Assert.Equal("laptop", await KubeletProbe.HttpGetAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/health/other")));
        await steal.StopAsync();

        await using var mirror = await _env.ConnectAsync("mirror", "\"path_filter\": \"^/health\"");
        Assert.DoesNotContain(_env.Laptop.Requests, r => r.PathAndQuery == "/health/live");
        Assert.Equal("pod", await KubeletProbe.HttpGetAsync(new SocketsHttpHandler(), _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/health/live")));
        await Poll.UntilAsync(() => _env.Laptop.Requests.Any(r => r.PathAndQuery == "/health/live"), "the mirror session got no copy of the probe");
    }
}
