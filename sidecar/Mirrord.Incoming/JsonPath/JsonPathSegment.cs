using System.Text.Json;

namespace Mirrord.Incoming.JsonPath;

/// <summary>A child segment (<c>.x</c>, <c>[...]</c>) or, with <paramref name="Descendants"/>, a descendant segment (<c>..x</c>).</summary>
internal sealed record JsonPathSegment(IReadOnlyList<JsonPathSelector> Selectors, bool Descendants)
{
    public void Apply(JsonElement node, JsonElement root, List<JsonElement> output)
    {
        foreach (var selector in Selectors)
        {
            selector.Select(node, root, output);
        }

        if (!Descendants)
        {
            return;
        }

        if (node.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in node.EnumerateObject())
            {
                Apply(property.Value, root, output);
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                Apply(item, root, output);
            }
        }
    }
}
