using System.Text.Json;

namespace Mirrord.Incoming.JsonPath;

/// <summary>One selector inside a JSONPath segment (RFC 9535 section 2.3): a name, <c>*</c>, an index, a slice or a filter.</summary>
internal abstract record JsonPathSelector
{
    public abstract void Select(JsonElement node, JsonElement root, List<JsonElement> output);

    public sealed record Name(string Value) : JsonPathSelector
    {
        public override void Select(JsonElement node, JsonElement root, List<JsonElement> output)
        {
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(Value, out var child))
            {
                output.Add(child);
            }
        }
    }

    public sealed record Wildcard : JsonPathSelector
    {
        public override void Select(JsonElement node, JsonElement root, List<JsonElement> output)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in node.EnumerateObject())
                {
                    output.Add(property.Value);
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    output.Add(item);
                }
            }
        }
    }

    public sealed record Index(int Value) : JsonPathSelector
    {
        public override void Select(JsonElement node, JsonElement root, List<JsonElement> output)
        {
            if (node.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            var length = node.GetArrayLength();
            var index = Value < 0 ? length + Value : Value;
            if (index >= 0 && index < length)
            {
                output.Add(node[index]);
            }
        }
    }

    public sealed record Slice(int? Start, int? End, int Step) : JsonPathSelector
    {
        public override void Select(JsonElement node, JsonElement root, List<JsonElement> output)
        {
            if (node.ValueKind != JsonValueKind.Array || Step == 0)
            {
                return;
            }

            var length = node.GetArrayLength();
            if (Step > 0)
            {
                var lower = Math.Clamp(Normalize(Start ?? 0, length), 0, length);
                var upper = Math.Clamp(Normalize(End ?? length, length), 0, length);
                for (var i = lower; i < upper; i += Step)
                {
                    output.Add(node[i]);
                }
            }
            else
            {
                var upper = Math.Clamp(Normalize(Start ?? length - 1, length), -1, length - 1);
                var lower = Math.Clamp(End is { } end ? Normalize(end, length) : -1, -1, length - 1);
                for (var i = upper; i > lower; i += Step)
                {
                    output.Add(node[i]);
                }
            }
        }

        private static int Normalize(int index, int length) => index >= 0 ? index : length + index;
    }

    /// <summary>Section 2.3.5: the children (array items, member values) for which the expression holds.</summary>
    public sealed record Filter(JsonPathFilter Expression) : JsonPathSelector
    {
        public override void Select(JsonElement node, JsonElement root, List<JsonElement> output)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in node.EnumerateObject())
                {
                    if (Expression.Test(property.Value, root))
                    {
                        output.Add(property.Value);
                    }
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    if (Expression.Test(item, root))
                    {
                        output.Add(item);
                    }
                }
            }
        }
    }
}
