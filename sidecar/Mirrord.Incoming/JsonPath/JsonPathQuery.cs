using System.Text.Json;

namespace Mirrord.Incoming.JsonPath;

/// <summary>
/// A compiled JSONPath query (RFC 9535) for body filters: names, <c>*</c>, indices, slices,
/// unions, descendant segments (<c>..</c>) and filter selectors (<c>[?...]</c>) with the function
/// extensions RFC 9535 defines and mirrord's <c>typeof</c>.
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
    public IReadOnlyList<JsonElement> Select(JsonElement root) => Apply(_segments, root, root);

    /// <summary>The segments applied from <paramref name="start"/>; <paramref name="root"/> is what <c>$</c> means inside filters.</summary>
    internal static List<JsonElement> Apply(IReadOnlyList<JsonPathSegment> segments, JsonElement start, JsonElement root)
    {
        var current = new List<JsonElement> { start };
        var next = new List<JsonElement>();
        foreach (var segment in segments)
        {
            next.Clear();
            foreach (var node in current)
            {
                segment.Apply(node, root, next);
            }

            (current, next) = (next, current);
        }

        return current;
    }

    public override string ToString() => Text;
}
