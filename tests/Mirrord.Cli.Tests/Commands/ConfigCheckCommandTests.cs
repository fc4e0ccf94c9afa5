using System.Text.Json;

namespace Mirrord.Cli.Tests.Commands;

public class ConfigCheckCommandTests
{
    [Fact]
    public async Task ConfigCheck_SeedWithTrailingCommas_PrintsEffectiveConfigWithDefaults()
    {
        var result = await CliRunner.RunAsync("config", "check", "-f", CliRunner.Seed("header-filter.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        using var effective = JsonDocument.Parse(result.Output, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var incoming = effective.RootElement.GetProperty("feature").GetProperty("network").GetProperty("incoming");
        Assert.Equal("steal", incoming.GetProperty("mode").GetString());
        Assert.Equal("X-My-Header: my-header-value", incoming.GetProperty("http_filter").GetProperty("header_filter").GetString());
        Assert.Equal("[80,8080]", JsonSerializer.Serialize(incoming.GetProperty("http_filter").GetProperty("ports")));
        Assert.Equal("abort", incoming.GetProperty("on_concurrent_steal").GetString());
        Assert.Equal(
            [
                "// port 80: filtered: port 80 is in http_filter.ports: each request is filtered",
                "// port 8080: filtered: port 8080 is in http_filter.ports: each request is filtered",
                "// any other port: left alone: it is not in http_filter.ports [80, 8080], so the session leaves it to the app (add it to http_filter.ports to filter it, or list it in ports to take it whole)",
                "// whatever a session takes, the pod's own httpGet and grpc probes reach the app",
            ],
            result.Lines.Where(line => line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith("// session key", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ConfigCheck_EffectiveConfig_IsItselfAValidConfig()
    {
        var first = await CliRunner.RunAsync("config", "check", "-f", CliRunner.Seed("probe-negative-lookahead.json"), "--key", "k");
        var second = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(first.Output), "--key", "k");

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(first.Output, second.Output);
    }

    [Fact]
    public async Task ConfigCheck_SeveralErrors_ListsThemAllWithFileNameAndExitsTwo()
    {
        var config = CliRunner.WriteConfig("""
            {
              "feature": { "network": { "incoming": {
                "mode": "stael",
                "http_filter": { "header_filter": "a", "path_filter": "b" },
                "ignored_ports": [1],
              } } }
            }
            """);

        var result = await CliRunner.RunAsync("config", "check", "-f", config);

        Assert.Equal(2, result.ExitCode);
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, errors.Length);
        Assert.All(errors, line => Assert.StartsWith($"{Path.GetFileName(config)}: error: feature.network.incoming.", line));
        Assert.Contains(errors, line => line.Contains("did you mean \"ignore_ports\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfigCheck_SettingWithoutEffect_WarnsButSucceeds()
    {
        var config = CliRunner.WriteConfig("""{ "feature": { "network": { "incoming": { "mode": "steal", "ignore_localhost": true } } } }""");

        var result = await CliRunner.RunAsync("config", "check", "-f", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning: feature.network.incoming.ignore_localhost", result.Error);
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("filter-check", result.Output);
        Assert.Contains("config", result.Output);
    }
}
