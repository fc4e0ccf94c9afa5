using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

public sealed class StealTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(output: output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Steal_HeaderFilterMatches_RequestReachesLaptop()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();

        Assert.Equal("laptop", await ServedByAsync(client, "/whoami", ("X-Dev", "alice")));
        Assert.Equal("pod", await ServedByAsync(client, "/whoami", ("X-Dev", "bob")));
        Assert.Equal("pod", await ServedByAsync(client, "/whoami"));
        Assert.DoesNotContain(_env.Pod.Requests, r => r.Headers.TryGetValue("X-Dev", out var dev) && dev == "alice");
    }

    [Fact]
    public async Task Steal_SeedProbeLookahead_KubeProbeStaysOnThePod()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^User-Agent: (?!kube-probe)\"");
        using var client = LoopbackClients.Http11();

        Assert.Equal("pod", await ServedByAsync(client, "/healthz", ("User-Agent", "kube-probe/1.31")));
        Assert.Equal("laptop", await ServedByAsync(client, "/whoami", ("User-Agent", "curl/8.5.0")));
    }

    [Fact]
    public async Task Steal_KeepAliveConnection_DecidesEachRequestOnItsOwn()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false });

        var served = new List<string>();
        foreach (var dev in new[] { "alice", "bob", "alice", "carol" })
        {
            served.Add(await ServedByAsync(client, "/whoami", ("X-Dev", dev)));
        }

        Assert.Equal(["laptop", "pod", "laptop", "pod"], served);
    }

    [Fact]
    public async Task Steal_BodyOfSeveralMegabytes_ReachesLaptopIntact()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var payload = Testing.TestApp.Payload(3 * 1024 * 1024 + 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/echo")) { Content = new ByteArrayContent(payload) };
        request.Headers.Add("X-Dev", "alice");

        using var response = await client.SendAsync(request);

        Assert.Equal("laptop", await response.ServedByAsync());
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Steal_BodyFilterWithAFilterSelector_TakesMatchingOrders_WhateverTheirContentType()
    {
        // mirrord's documented body filter forms: an RFC 9535 filter selector, the body parsed whatever its Content-Type.
        await using var cli = await _env.ConnectAsync("steal", "\"body_filter\": { \"body\": \"json\", \"query\": \"$.items[?@.price > 10].sku\", \"matches\": \"^SKU-\" }");
        using var client = LoopbackClients.Http11();

        async Task<string> PostAsync(string body, string contentType)
        {
            using var response = await client.PostAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/echo"), new StringContent(body, Encoding.UTF8, contentType));
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
            return await response.ServedByAsync();
        }

        Assert.Equal("laptop", await PostAsync("""{ "items": [ { "sku": "SKU-1", "price": 5 }, { "sku": "SKU-2", "price": 12 } ] }""", "application/json"));
        Assert.Equal("laptop", await PostAsync("""{ "items": [ { "sku": "SKU-3", "price": 99 } ] }""", "text/plain"));
        Assert.Equal("pod", await PostAsync("""{ "items": [ { "sku": "SKU-4", "price": 10 } ] }""", "application/json"));
        Assert.Equal("pod", await PostAsync("sku=SKU-5&price=50", "application/x-www-form-urlencoded"));
    }

    [Fact]
    public async Task Steal_H2cRequest_ReachesLaptopAsHttp2()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"path_filter\": \"^/echo\"");
        using var client = LoopbackClients.Http2();

        using var response = await client.PostAsync(_env.Sidecar.UrlFor(_env.Pod.GrpcPort, "/echo"), new StringContent("h2c body"));

        Assert.Equal("laptop", await response.ServedByAsync());
        Assert.Equal("h2c body", await response.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2", _env.Laptop.Requests.Last().Protocol);
    }

    [Fact]
    public async Task Steal_GrpcWithMatchingMetadata_UnaryAndStreamingReachLaptop()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^x-dev: alice$\"");
        var client = LoopbackClients.Grpc(_env.Sidecar.UrlFor(_env.Pod.GrpcPort), out var channel);
        using (channel)
        {
            var alice = new Metadata { { "x-dev", "alice" } };
            Assert.Equal("laptop", (await client.SayAsync(new EchoRequest { Text = "a" }, alice)).ServedBy);
            Assert.Equal("pod", (await client.SayAsync(new EchoRequest { Text = "b" }, new Metadata { { "x-dev", "bob" } })).ServedBy);

            using var call = client.Count(new EchoRequest { Text = "s", Times = 4 }, alice);
            var replies = new List<EchoReply>();
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                replies.Add(reply);
            }

            Assert.Equal(4, replies.Count);
            Assert.All(replies, reply => Assert.Equal("laptop", reply.ServedBy));
            Assert.Equal("4", call.GetTrailers().GetValue("x-count"));
        }
    }

    [Fact]
    public async Task Steal_Unfiltered_TakesWholeTcpConnectionsOfANonHttpPort()
    {
        await using var cli = await _env.ConnectAsync("steal");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _env.Sidecar.InboundPortFor(_env.PodDb.Port));
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        await using var writer = new StreamWriter(client.GetStream(), Encoding.ASCII) { AutoFlush = true, NewLine = "\r\n" };

        Assert.Equal("HELLO from laptop-db", await reader.ReadLineAsync());
        await writer.WriteLineAsync("select 2");
        Assert.Equal("SELECT 2", await reader.ReadLineAsync());
    }

    [Theory]
    [InlineData(false, "HELLO from pod-db")]
    [InlineData(true, "HELLO from laptop-db")]
    public async Task Steal_PortOutsideFilterPorts_IsLeftToTheApp_UnlessPortsListsIt(bool listed, string banner)
    {
        var ports = listed ? $"\"ports\": [{_env.Pod.HttpPort}, {_env.Pod.GrpcPort}, {_env.PodDb.Port}]" : string.Empty;
        await using var cli = await CliSession.ConnectAsync(_env.Sidecar, _env.ConnectArgs("steal", "\"header_filter\": \"^X-Dev: alice$\"", ports));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _env.Sidecar.InboundPortFor(_env.PodDb.Port));
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);

        Assert.Equal(banner, await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(cli.Lines, line => line.Contains($"port {_env.PodDb.Port}: {(listed ? "taken whole" : "left alone")}: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mirror_MatchingRequest_PodAnswersAndLaptopGetsACopy()
    {
        await using var cli = await _env.ConnectAsync("mirror", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        using var request = new HttpRequestMessage(HttpMethod.Post, _env.Sidecar.UrlFor(_env.Pod.HttpPort, "/echo?copy=1"))
        {
            Content = new StringContent("mirrored body"),
        };
        request.Headers.Add("X-Dev", "alice");

        using var response = await client.SendAsync(request);

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal("mirrored body", await response.Content.ReadAsStringAsync());
        await cli.WaitForLineAsync(line => line.Contains("mirror", StringComparison.Ordinal) && line.Contains("/echo?copy=1", StringComparison.Ordinal))
            .WaitAsync(TimeSpan.FromSeconds(10));
        var copy = Assert.Single(_env.Laptop.Requests, r => r.PathAndQuery == "/echo?copy=1");
        Assert.Equal("alice", copy.Headers["X-Dev"]);
        Assert.DoesNotContain(copy.Headers.Keys, name => name.StartsWith("mirrord-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Mirror_H2cAndGrpc_PodAnswersAndLaptopGetsCopies()
    {
        await using var cli = await _env.ConnectAsync("mirror", "\"header_filter\": \"^x-dev: alice$\"");
        using var http2 = LoopbackClients.Http2();
        using var request = new HttpRequestMessage(HttpMethod.Post, _env.Sidecar.UrlFor(_env.Pod.GrpcPort, "/echo?h2=1"))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("h2 copy"),
        };
        request.Headers.Add("x-dev", "alice");
        using var response = await http2.SendAsync(request);
        var grpc = LoopbackClients.Grpc(_env.Sidecar.UrlFor(_env.Pod.GrpcPort), out var channel);
        using (channel)
        {
            var reply = await grpc.SayAsync(new EchoRequest { Text = "copied" }, new Metadata { { "x-dev", "alice" } });
            Assert.Equal("pod", reply.ServedBy);
        }

        Assert.Equal("pod", await response.ServedByAsync());
        await cli.WaitForLineAsync(line => line.Contains("/echo.v1.Echo/Say", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));
        await cli.WaitForLineAsync(line => line.Contains("/echo?h2=1", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("HTTP/2", Assert.Single(_env.Laptop.Requests, r => r.PathAndQuery == "/echo?h2=1").Protocol);
        Assert.Contains(cli.Lines, line => line.Contains("mirror", StringComparison.Ordinal) && line.Contains("/echo.v1.Echo/Say -> 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StolenRequests_OverTheSessionLimit_Get503SessionBusy()
    {
        await using var env = await StealEnvironment.StartAsync(new Dictionary<string, string?> { ["Sidecar:StolenRequestsPerSession"] = "1" }, output.WriteLine);
        await using var cli = await env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();
        var pending = await env.HoldAlicesRequestAsync(client);
        using var second = new HttpRequestMessage(HttpMethod.Get, env.Sidecar.UrlFor(env.Pod.HttpPort, "/whoami"));
        second.Headers.Add("X-Dev", "alice");

        using var busy = await client.SendAsync(second);
        env.Laptop.Release.TrySetResult();
        using var first = await pending;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal(Tunnel.TunnelErrors.SessionBusy, busy.Headers.GetValues(Tunnel.TunnelHeaders.Error).Single());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    [Fact]
    public async Task List_ShowsSessionsWithTheirFiltersButNoSecrets()
    {
        await using var cli = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"", "--name", "alice@laptop");

        // The CLI opens its two tunnel connections just after registering.
        IReadOnlyList<Tunnel.Protocol.SessionSummary> sessions = [];
        await Poll.UntilAsync(async () => (sessions = await _env.Sidecar.ListSessionsAsync()) is not [{ Tunnels: < 2 }], "the CLI attached its tunnel connections");

        var session = Assert.Single(sessions);
        Assert.Equal("alice@laptop", session.Name);
        Assert.Equal("^X-Dev: alice$", session.Incoming.GetProperty("http_filter").GetProperty("header_filter").GetString());
        Assert.Equal(2, session.Tunnels);
    }

    [Fact]
    public async Task TwoSessions_DifferentHeaderFilters_EachDeveloperGetsTheirOwnRequests()
    {
        await using var laptopBob = await Testing.TestApp.StartAsync("laptop-bob");
        await using var alice = await _env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"", "--name", "alice");
        var bobConfig = Path.Combine(Path.GetTempPath(), $"mirrord-bob-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bobConfig, $$"""
            { "feature": { "network": { "incoming": { "mode": "steal", "ports": [{{_env.Pod.HttpPort}}],
              "http_filter": { "header_filter": "^X-Dev: bob$", "ports": [{{_env.Pod.HttpPort}}] } } } } }
            """);
        await using var bob = await Testing.CliSession.ConnectAsync(
            _env.Sidecar, "-f", bobConfig, "--local-port", laptopBob.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "bob");
        using var client = LoopbackClients.Http11();

        Assert.Equal("laptop", await ServedByAsync(client, "/whoami", ("X-Dev", "alice")));
        Assert.Equal("laptop-bob", await ServedByAsync(client, "/whoami", ("X-Dev", "bob")));
        Assert.Equal("pod", await ServedByAsync(client, "/whoami", ("X-Dev", "carol")));
    }

    [Fact]
    public async Task OverlappingWholePortSteal_WithAbort_IsRefusedNamingTheOtherSession()
    {
        await using var first = await _env.ConnectAsync("steal", null, "--name", "alice");
        await using var second = new Testing.CliSession(["connect", "--sidecar-address", _env.Sidecar.SessionAddress, .. _env.ConnectArgs("steal"), "--name", "bob"]);

        var exitCode = await second.Exited.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(4, exitCode);
        Assert.Contains(second.Lines, line => line.Contains("session alice already steals every connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverlappingWholePortSteal_WithOverride_EndsTheOtherSessionsClaim_TellsItWhy_AndGivesItBackWhenItLeaves()
    {
        await using var first = await _env.ConnectAsync("steal", null, "--name", "alice");
        await using var laptopBob = await Testing.TestApp.StartAsync("laptop-bob");
        var second = await Testing.CliSession.ConnectAsync(
            _env.Sidecar, "--mode", "steal", "--name", "bob", "--local-port", laptopBob.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", WriteIncoming("""{ "mode": "steal", "on_concurrent_steal": "override" }"""));
        using var client = LoopbackClients.Http11();

        Assert.Equal("laptop-bob", await ServedByAsync(client, "/whoami"));
        await first.WaitForLineAsync(line => line.Contains($"session bob", StringComparison.Ordinal)
            && line.Contains($"took port {_env.Pod.HttpPort} over (on_concurrent_steal \"override\")", StringComparison.Ordinal));

        // Alice's claim on the port ended, not her session: when bob leaves, the port is hers again, and she is told.
        await second.StopAsync();
        await second.DisposeAsync();
        await first.WaitForLineAsync(line => line.Contains("session bob ended", StringComparison.Ordinal) && line.Contains("this session's again", StringComparison.Ordinal));
        Assert.Equal("laptop", await ServedByAsync(client, "/whoami"));
    }

    private static string WriteIncoming(string incoming)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""{ "feature": { "network": { "incoming": {{incoming}} } } }""");
        return path;
    }

    private async Task<string> ServedByAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _env.Sidecar.UrlFor(_env.Pod.HttpPort, path));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return await response.ServedByAsync();
    }
}
