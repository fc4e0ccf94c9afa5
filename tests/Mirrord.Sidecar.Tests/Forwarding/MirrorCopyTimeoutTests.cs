using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Sidecar.Forwarding;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Forwarding;

/// <summary>
/// A mirror session whose laptop never takes its copies holds their bytes in the sidecar's buffer
/// budget only until <see cref="SidecarOptions.MirrorCopyTimeout"/>: then the copies are given up and
/// the budget is free for every other session, the stuck one still registered. Timed by a fake clock.
/// </summary>
public sealed class MirrorCopyTimeoutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CopiesALaptopNeverTakes_GoBackToTheBudget_AtTheMirrorCopyTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var env = await StealEnvironment.StartAsync(
            new Dictionary<string, string?> { ["Sidecar:SessionTimeout"] = "01:00:00" }, output.WriteLine, clock);
        using var stuckLaptop = new TcpListener(IPAddress.Loopback, 0);
        stuckLaptop.Start();
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "feature": { "network": { "incoming": { "mode": "mirror", "port_mapping": [[{{((IPEndPoint)stuckLaptop.LocalEndpoint).Port}}, {{env.Pod.HttpPort}}]] } } } }
            """);
        await using var cli = await CliSession.ConnectAsync(env.Sidecar, "-f", config);
        var budget = env.Sidecar.Services.GetRequiredService<BufferBudget>();
        using var client = LoopbackClients.Http11();

        using var response = await client.PostAsync(env.Sidecar.UrlFor(env.Pod.HttpPort, "/sink"), new ByteArrayContent(TestApp.Payload(100_000)));
        Assert.Equal("pod read 100000\n", await response.Content.ReadAsStringAsync());
        await Poll.UntilAsync(() => budget.InUse == 100_000, "the copy was not held in the budget");

        clock.Advance(new SidecarOptions().MirrorCopyTimeout - TimeSpan.FromSeconds(1));
        await Task.Yield();
        Assert.Equal(100_000, budget.InUse);
        clock.Advance(TimeSpan.FromSeconds(1));

        await Poll.UntilAsync(() => budget.InUse == 0, "the stuck copy still holds the budget");
        Assert.Equal(1, env.Sidecar.ActiveSessions);
        File.Delete(config);
    }
}
