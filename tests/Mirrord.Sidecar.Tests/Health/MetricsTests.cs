using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.Health;

/// <summary>
/// What <c>/metrics</c> reports, as a Prometheus scraper reads it. Run alone: the two sidecars under
/// test must be the only ones in the process while they count.
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task TwoSidecarsInOneProcess_EachReportsOnlyItsOwnTraffic()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var first = await SidecarHost.StartAsync([pod.HttpPort]);
        await using var second = await SidecarHost.StartAsync([pod.HttpPort]);
        using var client = new HttpClient();

        (await client.GetAsync(first.UrlFor(pod.HttpPort, "/whoami"))).Dispose();
        (await client.GetAsync(first.UrlFor(pod.HttpPort, "/whoami"))).Dispose();
        (await client.GetAsync(second.UrlFor(pod.HttpPort, "/whoami"))).Dispose();

        var firstText = await client.GetStringAsync($"http://127.0.0.1:{first.HealthPort}/metrics");
        var secondText = await client.GetStringAsync($"http://127.0.0.1:{second.HealthPort}/metrics");
        Assert.Equal(2, MetricsText.Counter(firstText, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        Assert.Equal(1, MetricsText.Counter(secondText, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        Assert.Contains("service_name=\"mirrord-sidecar\"", firstText, StringComparison.Ordinal);
    }
}

/// <summary>Tests that must have the process's meters to themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsAlone
{
    public const string Name = "meters without other sidecars in the process";
}
