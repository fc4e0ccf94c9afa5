using Mirrord.Testing;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>
/// The policy rule <c>requiredHeader</c>, enforced by the sidecar per request: a request that does not
/// carry the header reaches the app whatever a session's filter says (even a filter that matches
/// everything), and is not copied to mirror sessions either; a session that would take a port whole is
/// refused, since its connections carry no header to check.
/// </summary>
public sealed class RequiredHeaderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(
        new Dictionary<string, string?> { ["Sidecar:Policy"] = """{ "requiredHeader": { "name": "X-Debug-Session", "value": "^[a-z]+-[0-9]+$" } }""" }, output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task FilterThatMatchesEverything_StealsOnlyRequestsCarryingTheRequiredHeader()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"path_filter\": \"^/\"");
        using var client = LoopbackClients.Http11();

        Assert.Equal("pod", await ServedByAsync(client));
        Assert.Equal("pod", await ServedByAsync(client, "not a session"));
        Assert.Equal("laptop", await ServedByAsync(client, "alice-42"));
    }

    [Fact]
    public async Task MirrorSession_GetsNoCopyOfARequestWithoutTheHeader()
    {
        await using var cli = await _env.ConnectAsync("mirror", "\"path_filter\": \"^/\"");
        using var client = LoopbackClients.Http11();

        Assert.Equal("pod", await ServedByAsync(client, path: "/whoami?unmarked"));
        Assert.Equal("pod", await ServedByAsync(client, "alice-42", "/whoami?marked"));

        await Poll.UntilAsync(() => _env.Laptop.Requests.Any(r => r.PathAndQuery == "/whoami?marked"), "the marked request was not copied");
        Assert.DoesNotContain(_env.Laptop.Requests, r => r.PathAndQuery == "/whoami?unmarked");
    }

    [Fact]
    public async Task SessionThatWouldTakeAPortWhole_IsRefusedNamingTheRule()
    {
        await using var cli = new CliSession(["connect", "--sidecar-address", _env.Sidecar.SessionAddress, .. _env.ConnectArgs("steal")]);

        Assert.Equal(9, await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30))); // exit code 9: the pod's session policy refused the session
        Assert.Contains(cli.Lines, line => line.Contains("(required-header)", StringComparison.Ordinal) && line.Contains("X-Debug-Session", StringComparison.Ordinal));
    }

    private async Task<string> ServedByAsync(HttpClient client, string? session = null, string path = "/whoami")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, path));
        if (session is not null)
        {
            request.Headers.Add("X-Debug-Session", session);
        }

        using var response = await client.SendAsync(request);
        return await response.ServedByAsync();
    }
}
