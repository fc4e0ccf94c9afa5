using System.Globalization;
using System.Text.Json;

namespace Mirrord.Incoming.Jsonc;

/// <summary>
/// A JSON value that remembers where it stood in the source text, so that configuration
/// errors can name a line and column. System.Text.Json's DOM drops positions, hence this type.
/// </summary>
public sealed class JsoncValue
{
    private JsoncValue(JsonValueKind kind, SourcePosition position)
    {
        Kind = kind;
        Position = position;
    }

    public JsonValueKind Kind { get; }

    public SourcePosition Position { get; }

    /// <summary>The string value, or the raw text of a number.</summary>
    public string? Text { get; private init; }

    public IReadOnlyList<JsoncProperty> Properties { get; private init; } = [];

    public IReadOnlyList<JsoncValue> Items { get; private init; } = [];

    public bool IsTrue => Kind == JsonValueKind.True;

    internal static JsoncValue Scalar(JsonValueKind kind, SourcePosition position, string? text = null)
        => new(kind, position) { Text = text };

    internal static JsoncValue Object(SourcePosition position, IReadOnlyList<JsoncProperty> properties)
        => new(JsonValueKind.Object, position) { Properties = properties };

    internal static JsoncValue Array(SourcePosition position, IReadOnlyList<JsoncValue> items)
        => new(JsonValueKind.Array, position) { Items = items };

    public JsoncProperty? FindProperty(string name)
    {
        foreach (var property in Properties)
        {
            if (property.Name == name)
            {
                return property;
            }
        }

        return null;
    }

    /// <summary>Reads an integral number; false for fractions, exponents and out-of-range values.</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        return Kind == JsonValueKind.Number
            && long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A short description of the value's type for error messages.</summary>
    public string Describe() => Kind switch
    {
        JsonValueKind.String => $"the string \"{Text}\"",
        JsonValueKind.Number => $"the number {Text}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };
}
