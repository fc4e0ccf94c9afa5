using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Manifests;

/// <summary>
/// Between YAML nodes and JSON nodes, with the YAML 1.2 core schema for plain scalars (so
/// <c>replicas: 2</c> is a number and <c>"8080"</c> stays a string) and quoting on the way back
/// wherever a plain scalar would be read as something other than the string it is.
/// </summary>
internal static partial class YamlJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair => KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? string.Empty, ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException($"unsupported YAML node at {node.Start}"),
    };

    public static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(pair => KeyValuePair.Create<YamlNode, YamlNode>(new YamlScalarNode(pair.Key), ToYaml(pair.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYaml)),
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        JsonValue value => value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => StringScalar(value.GetValue<string>()),
            System.Text.Json.JsonValueKind.True => new YamlScalarNode("true") { Style = ScalarStyle.Plain },
            System.Text.Json.JsonValueKind.False => new YamlScalarNode("false") { Style = ScalarStyle.Plain },
            _ => new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    /// <summary>A scalar by the YAML 1.2 core schema: null, a boolean, a number, else the string it is.</summary>
    public static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        if (NullPattern().IsMatch(text))
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        }

        if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)integer) : JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    private static YamlScalarNode StringScalar(string text)
    {
        var plainWouldChange = Scalar(new YamlScalarNode(text) { Style = ScalarStyle.Plain }) is not { } v
            || v.GetValueKind() != System.Text.Json.JsonValueKind.String
            || Yaml11NotAString().IsMatch(text)
            || text.Length == 0 || text.Trim() != text || text.Contains('\n', StringComparison.Ordinal)
            || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal) || text.EndsWith(':')
            || "-?:,[]{}#&*!|>'\"%@`".Contains(text[0], StringComparison.Ordinal) && !(text[0] == '-' && text.Length > 1 && text[1] != ' ');
        return new YamlScalarNode(text) { Style = plainWouldChange ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain };
    }

    /// <summary>
    /// Plain scalars that YAML 1.1 readers (kubectl's, many GitOps tools') take for something other
    /// than a string, from the 1.1 type repository (yaml.org/type: bool, int, float, merge, value):
    /// yes/no/on/off/y/n, octal 0755, hex, binary, sexagesimal 12:30, underscores, 1.10, .inf.
    /// </summary>
    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$|^[-+]?(0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7]+|(0|[1-9][0-9_]*)|[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(inf|Inf|INF))$|^\.(nan|NaN|NAN)$")]
    private static partial Regex Yaml11NotAString();

    [GeneratedRegex("^(null|Null|NULL|~|)$")]
    private static partial Regex NullPattern();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
