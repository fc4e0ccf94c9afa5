using System.Text.Json.Nodes;
using Mirrord.Cli.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Tests.Manifests;

/// <summary>Strings the injector writes back stay strings for YAML 1.1 readers (kubectl, many GitOps tools) as well as 1.2 ones.</summary>
public sealed class YamlJsonTests
{
    [Theory]
    [InlineData("yes")]
    [InlineData("No")]
    [InlineData("on")]
    [InlineData("OFF")]
    [InlineData("y")]
    [InlineData("0755")]
    [InlineData("1e3")]
    [InlineData("1.10")]
    [InlineData("0x1F")]
    [InlineData("0b1010")]
    [InlineData("1_000")]
    [InlineData("12:30")]
    [InlineData(".inf")]
    [InlineData(".NaN")]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("8080")]
    [InlineData("<<")]
    public void StringThatAReaderWouldTakeForAnotherType_IsQuoted(string text)
    {
        var node = Assert.IsType<YamlScalarNode>(YamlJson.ToYaml(JsonValue.Create(text)));

        Assert.Equal(ScalarStyle.DoubleQuoted, node.Style);
        Assert.Equal(text, node.Value);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("v1.2.3")]
    [InlineData("8080x")]
    [InlineData("/app-tcp/8080")]
    [InlineData("registry.example/mirrord/sidecar:0.1.0")]
    public void OrdinaryString_StaysPlain(string text)
        => Assert.Equal(ScalarStyle.Plain, Assert.IsType<YamlScalarNode>(YamlJson.ToYaml(JsonValue.Create(text))).Style);
}
