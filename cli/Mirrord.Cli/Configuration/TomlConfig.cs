using System.Collections;
using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;

namespace Mirrord.Cli.Configuration;

/// <summary>A <c>.toml</c> config as the JSON the config readers take (TOML's tables are JSON's objects).</summary>
internal static class TomlConfig
{
    public static string ToJson(string text) => Convert(Parse(text))!.ToJsonString();

    /// <summary>The root table's string <paramref name="name"/>, as written; null when absent.</summary>
    public static string? RootString(string text, string name) => Parse(text).TryGetValue(name, out var value) ? value as string : null;

    private static TomlTable Parse(string text)
    {
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            throw new TomlConfigException(ex.Line > 0 ? $"{ex.Message} (line {ex.Line}, column {ex.Column})" : ex.Message, ex);
        }
    }

    private static JsonNode? Convert(object? value) => value switch
    {
        null => null,
        TomlTable table => new JsonObject(table.Select(pair => KeyValuePair.Create(pair.Key, Convert(pair.Value)))),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long integer => JsonValue.Create(integer),
        double number => JsonValue.Create(number),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(Convert)]),
        // Dates and times: mirrord has no such field; their TOML text is kept for the message that names the field.
        _ => JsonValue.Create(value.ToString()),
    };
}
