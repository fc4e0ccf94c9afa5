using System.Net;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;
using Mirrord.Tunnel;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Churn;

/// <summary>
/// A stolen request the sidecar has answered with an error must never reach the developer's
/// process afterwards: its caller may retry it against the pod, and the side effect would happen
/// twice. The CLI claims each stolen request before delivering it, and the sidecar refuses a claim
/// for a request it already answered.
/// </summary>
public sealed class NeverReplayTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(new Dictionary<string, string?>
    {
        ["Sidecar:SessionTimeout"] = "00:00:02",
    }, output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task CliPausedWhileRequestsWereOnTheirWay_TheyGet502_AndWhenItResumesNoneIsDelivered()
    {
        await using var portForward = StallingProxy.To(_env.Sidecar.SessionPort);
        await using var cli = await CliSession.StartAsync(
            ["connect", "--sidecar-address", $"127.0.0.1:{portForward.Port}", .. _env.ConnectArgs("steal", "\"header_filter\": \"^X-Dev: alice$\"")], registrations: 1);
        Assert.Equal("laptop", await SendAsync(0));

        // The CLI stops reading and writing, as a process paused with SIGSTOP: the sidecar gives up on the session.
        portForward.StallOpenConnections();
        var answers = await Task.WhenAll(Enumerable.Range(1, 5).Select(SendAsync)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(answers, answer => Assert.Equal($"502 {TunnelErrors.SessionEnded}", answer));

        // The CLI runs again and reads the requests that were sent to it; their sockets' closes arrive late.
        portForward.ResumeOpenConnections(passCloses: false);
        await cli.ExpectLineAsync("registered on pod", count: 2);
        Assert.Equal("laptop", await SendAsync(6));

        Assert.DoesNotContain(_env.Laptop.Requests, r => r.PathAndQuery is "/whoami?n=1" or "/whoami?n=2" or "/whoami?n=3" or "/whoami?n=4" or "/whoami?n=5");
        await cli.ExpectLineAsync("-> not delivered", count: 5);
        Assert.Contains(cli.Lines, line => line.Contains("/whoami?n=3 -> not delivered", StringComparison.Ordinal) && line.Contains("never will be", StringComparison.Ordinal));
    }

    /// <summary>Sends alice's request number <paramref name="n"/> on a connection of its own; who answered, or the status and mirrord-error.</summary>
    private async Task<string> SendAsync(int n)
    {
        using var client = LoopbackClients.Http11();
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, $"/whoami?n={n}"));
        request.Headers.Add("X-Dev", "alice");
        using var response = await client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK
            ? await response.ServedByAsync()
            : $"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues(TunnelHeaders.Error, out var error) ? error : [])}";
    }
}
