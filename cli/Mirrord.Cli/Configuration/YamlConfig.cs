using System.Text;
using System.Text.Json.Nodes;
using Mirrord.Cli.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// A <c>.yaml</c>/<c>.yml</c> config as the JSON the config readers take. Every key and value is written on the line it
/// has in the YAML, so a diagnostic's line is the file's line.
/// </summary>
internal static class YamlConfig
{
    public static string ToJson(string text)
    {
        var root = Root(text);
        if (root is null)
        {
            // An empty file is an empty config, as in mirrord.
            return "{}";
        }

        var json = new LineAlignedJson();
        Write(root, json);
        return json.ToString();
    }

    /// <summary>The root mapping's string <paramref name="name"/>, as written; null when absent.</summary>
    public static string? RootString(string text, string name)
        => Root(text) is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(name), out var value) && value is YamlScalarNode scalar
            ? scalar.Value
            : null;

    private static YamlNode? Root(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw new YamlException(stream.Documents[1].RootNode.Start, stream.Documents[1].RootNode.End, "a config file holds one YAML document; this is a second"),
        };
    }

    private static void Write(YamlNode node, LineAlignedJson json)
    {
        json.MoveTo(node.Start.Line);
        switch (node)
        {
            case YamlMappingNode mapping:
                json.Append('{');
                var first = true;
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "a config's keys are plain names");
                    }

                    json.Append(first ? string.Empty : ",");
                    json.MoveTo(key.Start.Line);
                    json.Append(JsonValue.Create(name).ToJsonString());
                    json.Append(':');
                    Write(value, json);
                    first = false;
                }

                json.Append('}');
                break;
            case YamlSequenceNode sequence:
                json.Append('[');
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    json.Append(i == 0 ? string.Empty : ",");
                    Write(sequence.Children[i], json);
                }

                json.Append(']');
                break;
            case YamlScalarNode scalar:
                json.Append(YamlJson.Scalar(scalar)?.ToJsonString() ?? "null");
                break;
            default:
                throw new YamlException(node.Start, node.End, "unsupported YAML node");
        }
    }

    /// <summary>JSON text that moves to a given line before a value, so positions keep their lines.</summary>
    private sealed class LineAlignedJson
    {
        private readonly StringBuilder _text = new();
        private long _line = 1;

        public void MoveTo(long line)
        {
            for (; _line < line; _line++)
            {
                _text.Append('\n');
            }
        }

        public void Append(char c) => _text.Append(c);

        public void Append(string text) => _text.Append(text);

        public override string ToString() => _text.ToString();
    }
}
