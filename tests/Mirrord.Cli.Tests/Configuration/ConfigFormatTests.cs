namespace Mirrord.Cli.Tests.Configuration;

/// <summary>
/// <c>.json</c>, <c>.yaml</c>/<c>.yml</c> and <c>.toml</c> configs, chosen by extension as mirrord chooses them
/// (mirrord-config src/lib.rs, <c>LayerFileConfig::from_path</c>: no extension is JSON, anything else an error).
/// </summary>
public sealed class ConfigFormatTests
{
    private const string Json = """
        {
          "key": "k1",
          "feature": {
            "network": {
              "incoming": {
                "mode": "steal",
                "http_filter": { "header_filter": "^baggage: .*mirrord-session={{ key }}.*$", "ports": [8080] },
                "port_mapping": [[9000, 8080]],
                "ignore_ports": [9999]
              }
            }
          }
        }
        """;

    private const string Yaml = """
        key: k1
        feature:
          network:
            incoming:
              mode: steal
              http_filter:
                header_filter: "^baggage: .*mirrord-session={{ key }}.*$"
                ports: [8080]
              port_mapping:
                - [9000, 8080]
              ignore_ports: [9999]
        """;

    private const string Toml = """
        key = "k1"

        [feature.network.incoming]
        mode = "steal"
        port_mapping = [[9000, 8080]]
        ignore_ports = [9999]

        [feature.network.incoming.http_filter]
        header_filter = "^baggage: .*mirrord-session={{ key }}.*$"
        ports = [8080]
        """;

    [Fact]
    public async Task TheSameConfig_InJsonYamlAndToml_HasTheSameEffectiveConfig()
    {
        var json = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(Json, ".json"));
        var yaml = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(Yaml, ".yaml"));
        var yml = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(Yaml, ".yml"));
        var toml = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(Toml, ".toml"));
        var none = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(Json, string.Empty));

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Contains("mirrord-session=k1", json.Output, StringComparison.Ordinal);
        Assert.Equal(json.Output, yaml.Output);
        Assert.Equal(json.Output, yml.Output);
        Assert.Equal(json.Output, toml.Output);
        Assert.Equal(json.Output, none.Output);
    }

    [Fact]
    public async Task AYamlError_NamesTheFieldAndItsLineInTheYaml()
    {
        var yaml = Yaml.Replace("mode: steal", "mode: Steal", StringComparison.Ordinal);

        var result = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(yaml, ".yaml"));

        Assert.Equal(ExitCodes.ConfigInvalid, result.ExitCode);
        Assert.Contains("error: feature.network.incoming.mode: must be \"off\", \"mirror\" or \"steal\"; got \"Steal\"", result.Error, StringComparison.Ordinal);
        Assert.Contains("(line 5)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATomlError_NamesTheField()
    {
        var toml = Toml.Replace("ignore_ports = [9999]", "ignore_ports = [99999]", StringComparison.Ordinal);

        var result = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(toml, ".toml"));

        Assert.Equal(ExitCodes.ConfigInvalid, result.ExitCode);
        Assert.Contains("error: feature.network.incoming.ignore_ports[0]", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".yaml", "feature: [unclosed", "not valid YAML")]
    [InlineData(".toml", "[feature\nkey = 1", "not valid TOML")]
    [InlineData(".ini", "{}", "mirrord reads .json, .yaml, .yml and .toml config files; got \".ini\"")]
    public async Task AFileThatCannotBeRead_SaysWhy(string extension, string text, string expected)
    {
        var result = await CliRunner.RunAsync("config", "check", "-f", CliRunner.WriteConfig(text, extension));

        Assert.Equal(ExitCodes.ConfigInvalid, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}
