using System.Text;
using System.Text.Json;

namespace Mirrord.Incoming.Jsonc;

/// <summary>
/// Reads JSON as people write it in config files and annotations: comments and trailing
/// commas are allowed, and every value keeps its line and column.
/// </summary>
public static class JsoncReader
{
    private static readonly JsonReaderOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    /// <exception cref="JsoncSyntaxException">The text is not JSON.</exception>
    public static JsoncValue Parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }

        var lines = new LineMap(span);
        var reader = new Utf8JsonReader(span, s_options);
        try
        {
            if (!reader.Read())
            {
                throw new JsoncSyntaxException("the document is empty", new SourcePosition(1, 1));
            }

            var value = ReadValue(ref reader, lines);
            if (reader.Read())
            {
                throw new JsoncSyntaxException(
                    "unexpected content after the end of the document",
                    lines.PositionOf(reader.TokenStartIndex));
            }

            return value;
        }
        catch (JsonException ex)
        {
            var position = new SourcePosition((int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1);
            throw new JsoncSyntaxException(CleanMessage(ex.Message), position);
        }
    }

    private static JsoncValue ReadValue(ref Utf8JsonReader reader, LineMap lines)
    {
        var position = lines.PositionOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<JsoncProperty>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var namePosition = lines.PositionOf(reader.TokenStartIndex);
                    var name = reader.GetString()!;
                    reader.Read();
                    properties.Add(new JsoncProperty(name, namePosition, ReadValue(ref reader, lines)));
                }

                return JsoncValue.Object(position, properties);
            case JsonTokenType.StartArray:
                var items = new List<JsoncValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lines));
                }

                return JsoncValue.Array(position, items);
            case JsonTokenType.String:
                return JsoncValue.Scalar(JsonValueKind.String, position, reader.GetString());
            case JsonTokenType.Number:
                return JsoncValue.Scalar(JsonValueKind.Number, position, Encoding.UTF8.GetString(reader.ValueSpan));
            case JsonTokenType.True:
                return JsoncValue.Scalar(JsonValueKind.True, position);
            case JsonTokenType.False:
                return JsoncValue.Scalar(JsonValueKind.False, position);
            case JsonTokenType.Null:
                return JsoncValue.Scalar(JsonValueKind.Null, position);
            default:
                throw new JsoncSyntaxException($"unexpected token {reader.TokenType}", position);
        }
    }

    // System.Text.Json appends its own "LineNumber: n | BytePositionInLine: m." which we report as a position instead.
    private static string CleanMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return text.TrimEnd(' ', '.');
    }

    /// <summary>Turns UTF-8 byte offsets into 1-based line and character columns.</summary>
    private sealed class LineMap
    {
        private readonly List<int> _lineStarts = [0];
        private readonly byte[] _bytes;

        public LineMap(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes.ToArray();
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SourcePosition PositionOf(long offset)
        {
            var index = _lineStarts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            var start = _lineStarts[line];
            var column = 1;
            for (var i = start; i < offset; i++)
            {
                // Count characters, not bytes: continuation bytes (10xxxxxx) do not start a character.
                if ((_bytes[i] & 0xC0) != 0x80)
                {
                    column++;
                }
            }

            return new SourcePosition(line + 1, column);
        }
    }
}
