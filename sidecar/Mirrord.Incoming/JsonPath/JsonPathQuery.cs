using System.Text.Json;

namespace Mirrord.Incoming.JsonPath;

/// <summary>
/// A compiled JSONPath query (RFC 9535) for body filters: names, <c>*</c>, indices, slices,
/// unions and descendant segments (<c>..</c>). Filter selectors (<c>[?...]</c>) are refused at
/// parse time rather than silently matching nothing.
/// </summary>
public sealed class JsonPathQuery
{
    private readonly IReadOnlyList<JsonPathSegment> _segments;

    internal JsonPathQuery(string text, IReadOnlyList<JsonPathSegment> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <exception cref="JsonPathSyntaxException">The query is not valid or uses an unsupported selector.</exception>
    public static JsonPathQuery Parse(string text) => new(text, JsonPathParser.Parse(text));

    /// <summary>Every node the query selects, in document order per segment.</summary>
    public IReadOnlyList<JsonElement> Select(JsonElement root)
    {
        var current = new List<JsonElement> { root };
        var next = new List<JsonElement>();
        foreach (var segment in _segments)
        {
            next.Clear();
            foreach (var node in current)
            {
                segment.Apply(node, next);
            }

            (current, next) = (next, current);
        }

        return current;
    }

    public override string ToString() => Text;
}
