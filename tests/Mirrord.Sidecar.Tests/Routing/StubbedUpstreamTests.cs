using System.Net;
using Mirrord.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Mirrord.Sidecar.Tests.Routing;

/// <summary>
/// WireMock.Net stubs as the container and as the developer's local app: exact status codes,
/// repeated headers and slow upstreams, and what the upstream actually received.
/// </summary>
public sealed class StubbedUpstreamTests : IAsyncLifetime
{
    private WireMockServer _pod = null!;
    private WireMockServer _laptop = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _pod = WireMockServer.Start(new WireMockServerSettings { Port = FreePort.Next() });
        _laptop = WireMockServer.Start(new WireMockServerSettings { Port = FreePort.Next() });
        _sidecar = await SidecarHost.StartAsync([PodPort], new Dictionary<string, string?> { ["Sidecar:Limits:PassThroughIdleTimeout"] = "00:00:03" });
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        _pod.Stop();
        _laptop.Stop();
        _pod.Dispose();
        _laptop.Dispose();
    }

    private int PodPort => _pod.Port;

    [Fact]
    public async Task PassThrough_KeepsStatusAndRepeatedHeaders_AndAddsNoForwardingHeaders()
    {
        _pod.Given(Request.Create().WithPath("/teapot").UsingGet())
            .RespondWith(Response.Create()
                .WithStatusCode(418)
                .WithHeader("Set-Cookie", "a=1", "b=2")
                .WithHeader("X-Custom", "kept")
                .WithBody("short and stout"));
        using var client = LoopbackClients.Http11();

        using var response = await client.GetAsync(_sidecar.UrlFor(PodPort, "/teapot?x=1"));

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("kept", response.Headers.GetValues("X-Custom").Single());
        Assert.Equal("short and stout", await response.Content.ReadAsStringAsync());
        var received = Assert.Single(_pod.LogEntries).RequestMessage;
        Assert.Equal("/teapot", received.Path);
        Assert.Equal("1", received.Query!["x"].Single());
        Assert.DoesNotContain(received.Headers!.Keys, name =>
            name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase) || name.Equals("Via", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("mirrord-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal($"127.0.0.1:{_sidecar.InboundPortFor(PodPort)}", received.Headers["Host"].Single());
    }

    [Fact]
    public async Task PassThrough_UpstreamSilentPastTheConfiguredIdleTimeout_ClientGets504AndTheErrorIsCounted()
    {
        _pod.Given(Request.Create().WithPath("/slow")).RespondWith(Response.Create().WithDelay(TimeSpan.FromSeconds(8)).WithBody("too late"));
        using var client = LoopbackClients.Http11();

        using var response = await client.GetAsync(_sidecar.UrlFor(PodPort, "/slow"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{_sidecar.HealthPort}/metrics");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_errors_total", ("path", "passed")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_request_duration_seconds_count", ("decision", "passed"), ("outcome", "failed")));
    }

    [Fact]
    public async Task Steal_StubbedLocalApp_AnswersWithItsOwnStatusAndGetsNoTunnelHeaders()
    {
        _laptop.Given(Request.Create().WithPath("/orders").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Location", "/orders/7").WithBody("created locally"));
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-stub-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "feature": { "network": { "incoming": { "mode": "steal",
              "http_filter": { "path_filter": "^/orders", "ports": [{{PodPort}}] },
              "port_mapping": [[{{_laptop.Port}}, {{PodPort}}]] } } } }
            """);
        try
        {
            await using var cli = await CliSession.ConnectAsync(_sidecar, "-f", config);
            using var client = LoopbackClients.Http11();

            using var response = await client.PostAsync(_sidecar.UrlFor(PodPort, "/orders"), new StringContent("{\"id\":7}"));

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("/orders/7", response.Headers.Location?.OriginalString);
            Assert.Equal("created locally", await response.Content.ReadAsStringAsync());
            Assert.Empty(_pod.LogEntries);
            var received = Assert.Single(_laptop.LogEntries).RequestMessage;
            Assert.Equal("{\"id\":7}", received.Body);
            Assert.DoesNotContain(received.Headers!.Keys, name => name.StartsWith("mirrord-", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            File.Delete(config);
        }
    }
}
