using System.Text.Json;

namespace Mirrord.Cli.Tests.Configuration;

/// <summary>
/// mirrord's environment variables for <c>feature.network.incoming</c>, which win over the file (mirrord-config
/// <c>feature/network/incoming.rs</c> and <c>incoming/http_filter.rs</c>: <c>FromEnv</c> before the file's value).
/// </summary>
public sealed class EnvironmentOverrideTests
{
    private const string File = """
        { "feature": { "network": { "incoming": { "mode": "mirror",
          "http_filter": { "header_filter": "^x-dev: alice$", "ports": [8080] } } } } }
        """;

    [Fact]
    public async Task Variables_WinOverTheFile()
    {
        var result = await CliRunner.RunWithEnvironmentAsync(
            new Dictionary<string, string>
            {
                ["MIRRORD_AGENT_TCP_STEAL_TRAFFIC"] = "true",
                ["MIRRORD_HTTP_HEADER_FILTER"] = "^x-dev: bob$",
                ["MIRRORD_HTTP_FILTER_PORTS"] = "80;9000",
                ["MIRRORD_OPERATOR_ON_CONCURRENT_STEAL"] = "continue",
            },
            "config", "check", "-f", CliRunner.WriteConfig(File), "--key", "k");

        Assert.True(result.ExitCode == 0, result.ToString());
        var incoming = Incoming(result.Output);
        // IncomingMode::from_str: "true" is steal.
        Assert.Equal("steal", incoming.GetProperty("mode").GetString());
        Assert.Equal("^x-dev: bob$", incoming.GetProperty("http_filter").GetProperty("header_filter").GetString());
        Assert.Equal("[80,9000]", JsonSerializer.Serialize(incoming.GetProperty("http_filter").GetProperty("ports")));
        Assert.Equal("continue", incoming.GetProperty("on_concurrent_steal").GetString());
    }

    [Fact]
    public async Task AFalseStealVariable_TurnsIncomingOff_AsMirrordReadsIt()
    {
        var result = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string> { ["MIRRORD_AGENT_TCP_STEAL_TRAFFIC"] = "false" }, "config", "check", "-f", CliRunner.WriteConfig(File), "--key", "k");

        Assert.Equal("off", Incoming(result.Output).GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("MIRRORD_HTTP_PATH_FILTER", "^/orders", "MIRRORD_HTTP_PATH_FILTER=\"(set)\": sets http_filter.path_filter, but the config's http_filter already has header_filter")]
    [InlineData("MIRRORD_HTTP_HEADER_FILTER", "^(x", "MIRRORD_HTTP_HEADER_FILTER=\"^(x\": invalid regex")]
    [InlineData("MIRRORD_HTTP_HEADER_FILTER", "", "MIRRORD_HTTP_HEADER_FILTER=\"\": is empty")]
    [InlineData("MIRRORD_HTTP_FILTER_PORTS", "80,8080", "MIRRORD_HTTP_FILTER_PORTS=\"80,8080\": must be ports from 1 to 65535 separated by ';'")]
    [InlineData("MIRRORD_AGENT_TCP_STEAL_TRAFFIC", "yes", "MIRRORD_AGENT_TCP_STEAL_TRAFFIC=\"yes\": must be true, false")]
    [InlineData("MIRRORD_HTTP_HEADER_FILTER_JQ", "test(\"x\")", "MIRRORD_HTTP_HEADER_FILTER_JQ=\"test(\"x\")\": is a jq filter, which this sidecar cannot run")]
    public async Task ABadVariable_IsAnErrorNamingIt(string variable, string value, string expected)
    {
        var result = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string> { [variable] = value }, "config", "check", "-f", CliRunner.WriteConfig(File), "--key", "k");

        Assert.Equal(ExitCodes.ConfigInvalid, result.ExitCode);
        Assert.Contains($"error: environment variable {expected}", result.Error, StringComparison.Ordinal);
    }

    private static JsonElement Incoming(string output)
    {
        using var document = JsonDocument.Parse(output, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.GetProperty("feature").GetProperty("network").GetProperty("incoming").Clone();
    }
}
