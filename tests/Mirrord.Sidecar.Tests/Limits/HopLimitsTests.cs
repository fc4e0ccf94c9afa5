using System.Net;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Tunnel.Settings;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Limits;

/// <summary>
/// One stolen request fails alone: what the sidecar accepts from a caller crosses the tunnel and the
/// CLI whatever its size (HeaderLimits), an answer the laptop gives comes back, and a request over the
/// pod's limits is refused by the sidecar itself (431, 413) while the other stolen requests of the
/// same session, one of them held at a breakpoint on the same tunnel, go on.
/// </summary>
public sealed class HopLimitsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BodyLimit = 1024 * 1024;

    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(
        new Dictionary<string, string?> { ["Sidecar:Limits:MaxRequestBodySize"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    public static TheoryData<string, int, int> WithinThePodsLimits => new()
    {
        // One field bigger than an HTTP/2 field may be by default (16 KiB): HTTP/1.1 callers may send it.
        { "one 30 KB header", 1, 30_000 },
        // Up to the sidecar's 32 KiB for all headers: the tunnel adds its own on top.
        { "headers filling the pod's limit", 1, 32_400 },
        { "90 headers", 90, 100 },
    };

    [Theory]
    [MemberData(nameof(WithinThePodsLimits))]
    public async Task RequestWithinThePodsLimits_IsDeliveredToTheLaptop_AndTheHeldRequestCompletes(string what, int count, int size)
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var held = await _env.HoldAlicesRequestAsync(client);

        using var response = await SendAsync(client, "/whoami", count, size);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {(int)response.StatusCode} {await response.ServedByAsync()}");
        Assert.Equal("laptop", await response.ServedByAsync());
        await AssertHeldRequestCompletesAsync(held);
    }

    [Fact]
    public async Task HeadersOverThePodsLimit_AreRefused431ByTheSidecar_AndTheOtherStolenRequestsGoOn()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var held = await _env.HoldAlicesRequestAsync(client);

        using var tooBig = await SendAsync(LoopbackClients.Http11(), "/whoami", 1, 40_000);
        using var next = await SendAsync(client, "/whoami", 0, 0);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooBig.StatusCode);
        Assert.False(tooBig.Headers.Contains("x-served-by"));
        Assert.Equal("laptop", await next.ServedByAsync());
        await AssertHeldRequestCompletesAsync(held);
    }

    [Fact]
    public async Task BodyOverThePodsLimit_IsRefused413ByTheSidecar_AndTheOtherStolenRequestsGoOn()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var held = await _env.HoldAlicesRequestAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/echo")) { Content = new ByteArrayContent(new byte[BodyLimit + 1]) };
        request.Headers.Add("X-Dev", "alice");

        using var tooBig = await LoopbackClients.Http11().SendAsync(request);
        using var next = await SendAsync(client, "/whoami", 0, 0);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("laptop", await next.ServedByAsync());
        Assert.DoesNotContain(_env.Laptop.Requests, r => r.PathAndQuery == "/echo");
        await AssertHeldRequestCompletesAsync(held);
    }

    [Fact]
    public async Task LaptopAnswersWithLargeHeaders_TheCallerGetsThemAsFromTheApp()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxResponseHeadersLength = HeaderLimits.ResponseHeaderKilobytes });

        // SocketsHttpHandler's default (64 KiB) would have failed this answer on the way back.
        using var stolen = await SendAsync(client, "/big-header/100000", 0, 0);
        using var passed = await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/big-header/100000"));

        Assert.Equal(HttpStatusCode.OK, stolen.StatusCode);
        Assert.Equal(100_000, stolen.Headers.GetValues("x-big").Single().Length);
        Assert.Equal("laptop", await stolen.ServedByAsync());
        Assert.Equal(100_000, passed.Headers.GetValues("x-big").Single().Length);
    }

    [Fact]
    public void PodLimitsAboveWhatTheTunnelCarries_AreRefusedWhenConfigured()
    {
        var limits = new HttpLimitsOptions { MaxRequestHeadersTotalSize = HeaderLimits.RequestHeaderBytes };

        var error = Assert.Single(limits.Validate("Injection:SidecarLimits"));

        Assert.StartsWith("Injection:SidecarLimits:MaxRequestHeadersTotalSize must be at most", error, StringComparison.Ordinal);
        Assert.Contains("over the tunnel", error, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, int count, int size)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, path));
        request.Headers.Add("X-Dev", "alice");
        for (var i = 0; i < count; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-Big-{i}", new string('b', size));
        }

        return await client.SendAsync(request);
    }

    private async Task AssertHeldRequestCompletesAsync(Task<HttpResponseMessage> held)
    {
        _env.Laptop.Release.TrySetResult();
        using var response = await held;
        Assert.Equal("laptop released\n", await response.Content.ReadAsStringAsync());
    }
}
