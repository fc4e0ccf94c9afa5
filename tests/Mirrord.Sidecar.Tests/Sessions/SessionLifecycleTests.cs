using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mirrord.Testing;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Protocol;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>Sessions end cleanly or not; either way the pod gets its traffic back and no request is replayed.</summary>
public sealed class SessionLifecycleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;
    private RegisteredMessage? _lastRegistered;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(new Dictionary<string, string?>
    {
        ["Sidecar:SessionTimeout"] = "00:00:03",
        ["Sidecar:TunnelConnectTimeout"] = "00:00:02",
    }, output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task CtrlC_EndsTheSession_TrafficGoesBackToThePodAtOnce()
    {
        var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        Assert.Equal("laptop", await GetAsync(client, "alice"));

        Assert.Equal(0, await cli.StopAsync());

        Assert.Equal("pod", await GetAsync(client, "alice"));
        Assert.Contains(cli.Lines, line => line.Contains("its traffic goes to the pod again", StringComparison.Ordinal));
        await cli.DisposeAsync();
    }

    [Fact]
    public async Task SidecarStopping_StolenRequestInFlight_CompletesFromTheLaptopBeforeTheSessionEnds()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var held = await _env.HoldAlicesRequestAsync(client);

        var stopping = _env.Sidecar.StopAsync();
        await Task.Delay(500);
        _env.Laptop.Release.TrySetResult();
        using var response = await held.WaitAsync(TimeSpan.FromSeconds(10));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("laptop released\n", await response.Content.ReadAsStringAsync());
        await cli.ExpectLineAsync("the sidecar is shutting down (the pod is stopping)");
    }

    [Fact]
    public async Task StolenRequestInFlight_WhenTheSessionEnds_Gets502NamingTheReasonAndIsNotReplayed()
    {
        var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var pending = await _env.HoldAlicesRequestAsync(client);

        await cli.StopAsync();
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(15));

        // The laptop holds it (at a breakpoint): the answer says it may have been received there.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(TunnelErrors.DeliveryInterrupted, response.Headers.GetValues(TunnelHeaders.Error).Single());
        Assert.Contains("may have received it", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("not sent to the application", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_env.Pod.Requests, r => r.PathAndQuery == "/hold");
        await cli.DisposeAsync();
    }

    [Fact]
    public async Task StolenRequest_LocalProcessDown_Gets502WithItsReference_AndOnlyTheDeveloperIsToldWhere()
    {
        var downPort = Testing.FreePort.Next();
        await using var cli = await Testing.CliSession.ConnectAsync(
            _env.Sidecar, "--mode", "steal", "--header-filter", "^X-Dev: alice$", "--local-port", downPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", WriteIncoming($$"""{ "http_filter": { "header_filter": "x", "ports": [{{_env.Pod.HttpPort}}] }, "ports": [{{_env.Pod.HttpPort}}] }"""));
        using var client = LoopbackClients.Http11();
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));
        request.Headers.Add("X-Dev", "alice");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(TunnelErrors.LocalAppUnreachable, response.Headers.GetValues(TunnelHeaders.Error).Single());
        var body = await response.Content.ReadAsStringAsync();

        // Any client of the pod reads this answer: which request, not whose laptop or which port on it.
        Assert.DoesNotContain(downPort.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        var reference = response.Headers.GetValues(TunnelHeaders.ErrorReference).Single();
        Assert.Contains($"(request {reference})", body, StringComparison.Ordinal);
        await cli.WaitForLineAsync(line => line.Contains("GET /whoami -> 502", StringComparison.Ordinal) && line.Contains(downPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ControlConnectionDropsWithoutGoodbye_SessionIsRemovedAndTrafficReturns()
    {
        using var control = await RegisterRawAsync("""{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [PORT] } }""");
        using var client = LoopbackClients.Http11();
        Assert.Equal(HttpStatusCode.BadGateway, (await SendAliceAsync(client)).StatusCode);

        control.Client.LingerState = new LingerOption(true, 0);
        control.Close();

        await Poll.UntilAsync(async () => await ServedByAsync(client) == "pod", "alice's requests go to the pod again");
    }

    [Fact]
    public async Task PortForwardStalls_StolenRequestGets502_OthersGoOn_AndTheCliRegistersAgainWithoutARestart()
    {
        await using var portForward = StallingProxy.To(_env.Sidecar.SessionPort);
        await using var cli = await CliSession.StartAsync(
            ["connect", "--sidecar-address", $"127.0.0.1:{portForward.Port}", .. _env.ConnectArgs("steal", "\"header_filter\": \"^X-Dev: alice$\"")], registrations: 1);
        using var client = LoopbackClients.Http11();
        var held = await _env.HoldAlicesRequestAsync(client);

        portForward.StallOpenConnections();
        using var stalled = await held.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.BadGateway, stalled.StatusCode);
        Assert.Equal(TunnelErrors.DeliveryInterrupted, stalled.Headers.GetValues(TunnelHeaders.Error).Single());
        Assert.Equal("pod", await GetAsync(client, "bob"));
        Assert.Equal("pod", await GetAsync(client, "alice"));

        // The CLI notices the silence and registers again over a new port-forward, without a restart.
        await cli.ExpectLineAsync("registered on pod", count: 2);
        Assert.Contains(cli.Lines, line => line.Contains("the port-forward stalled", StringComparison.Ordinal));
        Assert.Equal("laptop", await GetAsync(client, "alice"));
        _env.Laptop.Release.TrySetResult();
    }

    [Fact]
    public async Task Claims_ForRequestsTheSidecarIsNotWaitingFor_AreRefused_AllInOneAnswer()
    {
        using var control = await RegisterRawAsync("\"steal\"");

        await SessionFrames.WriteAsync(control.GetStream(), new ClaimMessage([1, 2, 3]));
        var answer = await SessionFrames.ReadAsync(control.GetStream());

        var claimed = Assert.IsType<ClaimedMessage>(answer);
        Assert.Empty(claimed.Granted);
        Assert.Equal([1L, 2L, 3L], claimed.Refused);
    }

    [Fact]
    public async Task Attach_WrongSecret_IsRefused()
    {
        using var control = await RegisterRawAsync("\"steal\"");
        var registered = _lastRegistered!;
        using var intruder = new TcpClient();
        await intruder.ConnectAsync(IPAddress.Loopback, _env.Sidecar.SessionPort);
        await SessionFrames.WriteAsync(intruder.GetStream(), new AttachMessage(registered.SessionId, Convert.ToBase64String(new byte[32])));

        var reply = await SessionFrames.ReadAsync(intruder.GetStream());

        Assert.Equal(SessionErrorCodes.UnknownSession, Assert.IsType<ErrorMessage>(reply).Code);
    }

    [Fact]
    public async Task Register_FromACliOfAnotherProtocolVersion_IsRefusedSayingWhichCliToUse()
    {
        using var cli = new TcpClient();
        await cli.ConnectAsync(IPAddress.Loopback, _env.Sidecar.SessionPort);
        using var incoming = JsonDocument.Parse("\"steal\"");
        await SessionFrames.WriteAsync(cli.GetStream(), new RegisterMessage(SessionProtocol.Version + 1, "future", incoming.RootElement.Clone()));

        var refusal = Assert.IsType<ErrorMessage>(await SessionFrames.ReadAsync(cli.GetStream()));

        Assert.Equal(SessionErrorCodes.Version, refusal.Code);
        Assert.Contains($"the CLI speaks {SessionProtocol.Version + 1}", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("use a mirrord-cli of the sidecar's version", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(await _env.Sidecar.ListSessionsAsync());
    }

    private async Task<TcpClient> RegisterRawAsync(string incoming)
    {
        var (control, registered) = await _env.RegisterFrozenAsync(incoming);
        _lastRegistered = registered;
        return control;
    }

    private async Task<HttpResponseMessage> SendAliceAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));
        request.Headers.Add("X-Dev", "alice");
        return await client.SendAsync(request);
    }

    private async Task<string> ServedByAsync(HttpClient client)
    {
        using var response = await SendAliceAsync(client);
        return await response.ServedByAsync();
    }

    private async Task<string> GetAsync(HttpClient client, string dev)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));
        request.Headers.Add("X-Dev", dev);
        using var response = await client.SendAsync(request);
        return await response.ServedByAsync();
    }

    private static string WriteIncoming(string incoming)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""{ "feature": { "network": { "incoming": {{incoming}} } } }""");
        return path;
    }
}
