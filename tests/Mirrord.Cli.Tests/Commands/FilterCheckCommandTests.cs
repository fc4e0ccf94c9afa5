namespace Mirrord.Cli.Tests.Commands;

public class FilterCheckCommandTests
{
    [Theory]
    [InlineData("probe-negative-lookahead.json", "8080", "/healthz", "User-Agent: kube-probe/1.30", "pass")]
    [InlineData("probe-negative-lookahead.json", "3000", "/api/x", "User-Agent: curl/8.5.0", "pass")]
    [InlineData("probe-negative-lookahead.json", "8080", "/api/x", "User-Agent: curl/8.5.0", "steal")]
    [InlineData("probe-negative-lookahead.json", "80", "/api/x", "user-agent: kube-probe/1.31", "pass")]
    [InlineData("health-path-negative-lookahead.json", "8080", "/health/live", "Accept: */*", "pass")]
    [InlineData("health-path-negative-lookahead.json", "8080", "/orders", "Accept: */*", "steal")]
    [InlineData("header-filter.json", "8080", "/", "X-My-Header: my-header-value", "steal")]
    [InlineData("header-filter.json", "8080", "/", "X-My-Header: someone-else", "pass")]
    [InlineData("path-filter.json", "80", "/v1/my/path", "Accept: */*", "steal")]
    [InlineData("steal-all.json", "5432", "/", "Accept: */*", "steal")]
    public async Task FilterCheck_SeedExample_PrintsTheSeedsDecision(string seed, string port, string path, string header, string expected)
    {
        var result = await CliRunner.RunAsync("filter-check", "-f", CliRunner.Seed(seed), "--port", port, "--path", path, "-H", header);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, result.Lines[0]);
        Assert.StartsWith("reason: ", result.Lines[1]);
    }

    [Fact]
    public async Task FilterCheck_ProbeRequest_NamesTheRuleThatDecided()
    {
        var result = await CliRunner.RunAsync(
            "filter-check", "-f", CliRunner.Seed("probe-negative-lookahead.json"), "--port", "8080", "--method", "GET",
            "--path", "/api/x", "-H", "User-Agent: kube-probe/1.30", "-H", "Accept: */*");

        Assert.Equal(
            [
                "pass",
                "reason: did not match http_filter.header_filter \"^User-Agent: (?!kube-probe)\"",
                "port 8080: filtered: port 8080 is in http_filter.ports: each request is filtered",
            ],
            result.Lines);
    }

    [Fact]
    public async Task FilterCheck_PortOutsideFilterPorts_PassesAndSaysHowToTakeThePort()
    {
        var result = await CliRunner.RunAsync(
            "filter-check", "-f", CliRunner.Seed("probe-negative-lookahead.json"), "--port", "3000", "-H", "User-Agent: curl/8.5.0");

        Assert.Equal("pass", result.Lines[0]);
        Assert.Contains("port 3000 is not in http_filter.ports [80, 8080], so the session leaves it to the app", result.Lines[1]);
        Assert.StartsWith("port 3000: left alone: ", result.Lines[2]);
        Assert.Contains("or list it in ports to take it whole", result.Lines[2]);
    }

    [Fact]
    public async Task FilterCheck_ThePodsOwnProbe_PassesWhateverTheFilterSays()
    {
        var config = CliRunner.WriteConfig("""{ "feature": { "network": { "incoming": "steal" } } }""");

        var probe = await CliRunner.RunAsync(
            "filter-check", "-f", config, "--port", "8080", "--path", "/health/live", "-H", "User-Agent: kube-probe/1.31", "--probe", "8080:/health/live", "--probe", "9090:grpc");
        var notAProbe = await CliRunner.RunAsync("filter-check", "-f", config, "--port", "8080", "--path", "/health/ready", "-H", "User-Agent: kube-probe/1.31");

        Assert.Equal("pass", probe.Lines[0]);
        Assert.StartsWith("reason: it is the pod's GET /health/live on port 8080: the sidecar passes the pod's own probes to the app whatever a session says", probe.Lines[1]);
        Assert.Equal("steal", notAProbe.Lines[0]);
        Assert.Contains(notAProbe.Lines, line => line.StartsWith("note: if this is one of the pod's own probes (see --probe)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FilterCheck_MirrorMode_PrintsMirrorOrPass()
    {
        var config = CliRunner.WriteConfig("""{ "feature": { "network": { "incoming": { "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: alice$" } } } } }""");

        var matched = await CliRunner.RunAsync("filter-check", "-f", config, "-H", "X-Dev: alice");
        var other = await CliRunner.RunAsync("filter-check", "-f", config, "-H", "X-Dev: bob");

        Assert.Equal("mirror", matched.Lines[0]);
        Assert.Equal("pass", other.Lines[0]);
    }

    [Fact]
    public async Task FilterCheck_Http2AuthorityHeader_IsMatchedAsHost()
    {
        var config = CliRunner.WriteConfig("""{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "header_filter": "^host: api\\..+" } } } } }""");

        var result = await CliRunner.RunAsync("filter-check", "-f", config, "-H", ":authority: api.shop.svc");

        Assert.Equal("steal", result.Lines[0]);
    }

    [Fact]
    public async Task FilterCheck_JsonBodyFilter_ReadsTheBodyFlag()
    {
        var config = CliRunner.WriteConfig("""
            { "feature": { "network": { "incoming": { "mode": "steal",
              "http_filter": { "body_filter": { "body": "json", "query": "$.user.name", "matches": "^alice$" } } } } } }
            """);

        var result = await CliRunner.RunAsync(
            "filter-check", "-f", config, "-X", "POST", "-H", "Content-Type: application/json", "--body", """{"user":{"name":"alice"}}""");

        Assert.Equal("steal", result.Lines[0]);
    }

    [Fact]
    public async Task FilterCheck_InvalidConfig_ExitsTwoNamingFieldAndPosition()
    {
        var config = CliRunner.WriteConfig("""
            {
              "feature": { "network": { "incoming": {
                "mode": "steal",
                "http_filter": { "header_filter": "^User-Agent: (?!kube-probe" },
              } } }
            }
            """);

        var result = await CliRunner.RunAsync("filter-check", "-f", config, "-H", "User-Agent: curl/8");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("error: feature.network.incoming.http_filter.header_filter: invalid regex at offset 26", result.Error);
        Assert.Contains("(line 4, column 39)", result.Error);
    }

    [Fact]
    public async Task FilterCheck_MissingConfigFile_ExitsTwoNamingTheFlag()
    {
        var result = await CliRunner.RunAsync("filter-check", "-f", "/nonexistent/mirrord.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config-file /nonexistent/mirrord.json: cannot read the file", result.Error);
    }

    [Theory]
    [InlineData("-H", "NoColonHere", "-H/--header \"NoColonHere\" must look like 'Name: value'")]
    [InlineData("--path", "api/x", "--path \"api/x\" must start with '/'")]
    [InlineData("--port", "70000", "--port 70000 must be from 1 to 65535")]
    public async Task FilterCheck_MalformedFlag_ExitsOneNamingTheFlag(string flag, string value, string message)
    {
        var result = await CliRunner.RunAsync("filter-check", "-f", CliRunner.Seed("steal-all.json"), flag, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error);
    }
}
