using System.Globalization;
using System.Net;
using Grpc.Net.Client;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Redirect;

namespace Mirrord.Sidecar.Tests.Redirect;

/// <summary>
/// The sidecar as it runs in a pod: one inbound port behind a real iptables REDIRECT, each
/// connection's container port read back from the socket (SO_ORIGINAL_DST). Needs root and iptables;
/// skipped with the reason elsewhere.
/// </summary>
public sealed class IptablesRedirectTests : IAsyncLifetime
{
    private TestApp _pod = null!;
    private TestApp _laptop = null!;
    private TcpEchoServer _database = null!;
    private SidecarHost? _sidecar;
    private IptablesRedirect? _redirect;

    private SidecarHost Sidecar => _sidecar!;

    public async Task InitializeAsync()
    {
        _pod = await TestApp.StartAsync("pod");
        _laptop = await TestApp.StartAsync("laptop");
        _database = TcpEchoServer.Start("pod-db");
        if (IptablesRedirect.Unavailable() is null)
        {
            int[] ports = [_pod.HttpPort, _pod.GrpcPort, _database.Port];
            _sidecar = await SidecarHost.StartRedirectedAsync(ports);
            _redirect = await IptablesRedirect.InstallAsync(ports, _sidecar.InboundPort);
        }
    }

    public async Task DisposeAsync()
    {
        if (_redirect is not null)
        {
            await _redirect.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        await _database.DisposeAsync();
        await _pod.DisposeAsync();
        await _laptop.DisposeAsync();
    }

    [SkippableFact]
    public async Task NoSession_EachContainerPort_IsServedThroughTheOneInboundPort()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        using var http = new HttpClient(IptablesRedirect.RedirectedHandler());
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_pod.GrpcPort}", new GrpcChannelOptions { HttpHandler = IptablesRedirect.RedirectedHandler() });

        using var response = await http.GetAsync($"http://127.0.0.1:{_pod.HttpPort}/whoami");
        var reply = await new Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "through the redirect" });
        var (banner, answer) = await TalkToDatabaseAsync("select 1");

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal("pod", reply.ServedBy);
        Assert.Equal("HELLO from pod-db", banner);
        Assert.Equal("SELECT 1", answer);
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{Sidecar.HealthPort}/metrics");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "h2")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_tcp_connections_total", ("decision", "passed")));
    }

    [SkippableFact]
    public async Task Steal_WithHeaderFilter_TakesOnlyMatchingRequestsOnTheRedirectedPort()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-redirect-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "feature": { "network": { "incoming": { "mode": "steal",
              "http_filter": { "header_filter": "^User-Agent: (?!kube-probe)", "ports": [{{Invariant(_pod.HttpPort)}}] },
              "port_mapping": [[{{Invariant(_laptop.HttpPort)}}, {{Invariant(_pod.HttpPort)}}]] } } } }
            """);
        try
        {
            await using var cli = await CliSession.ConnectAsync(Sidecar, "-f", config);
            using var http = new HttpClient(IptablesRedirect.RedirectedHandler());
            var url = $"http://127.0.0.1:{_pod.HttpPort}/whoami";

            using var browser = new HttpRequestMessage(HttpMethod.Get, url);
            browser.Headers.UserAgent.ParseAdd("curl/8.5.0");
            using var probe = new HttpRequestMessage(HttpMethod.Get, url);
            probe.Headers.UserAgent.ParseAdd("kube-probe/1.31");

            Assert.Equal("laptop", await (await http.SendAsync(browser)).ServedByAsync());
            Assert.Equal("pod", await (await http.SendAsync(probe)).ServedByAsync());
            Assert.Equal(("HELLO from pod-db", "SELECT 2"), await TalkToDatabaseAsync("select 2"));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private async Task<(string? Banner, string? Answer)> TalkToDatabaseAsync(string line)
    {
        using var socket = IptablesRedirect.Connect();
        await socket.ConnectAsync(IPAddress.Loopback, _database.Port);
        return await TcpEchoServer.TalkAsync(socket, line);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
