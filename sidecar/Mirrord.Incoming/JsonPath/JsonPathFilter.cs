using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mirrord.Incoming.JsonPath;

/// <summary>
/// The logical expression of a filter selector (<c>[?...]</c>, RFC 9535 section 2.3.5): existence tests, comparisons,
/// <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and the function extensions (section 2.4: <c>length</c>, <c>count</c>,
/// <c>match</c>, <c>search</c>, <c>value</c>, and mirrord's <c>typeof</c>).
/// </summary>
internal abstract record JsonPathFilter
{
    public abstract bool Test(JsonElement current, JsonElement root);

    public sealed record Or(IReadOnlyList<JsonPathFilter> Operands) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root) => Operands.Any(operand => operand.Test(current, root));
    }

    public sealed record And(IReadOnlyList<JsonPathFilter> Operands) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root) => Operands.All(operand => operand.Test(current, root));
    }

    public sealed record Not(JsonPathFilter Negated) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root) => !Negated.Test(current, root);
    }

    /// <summary>A query as a test: true when it selects at least one node.</summary>
    public sealed record Exists(FilterQuery Query) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root) => Query.Select(current, root).Count > 0;
    }

    /// <summary>A function of logical type (<c>match</c>, <c>search</c>) as a test.</summary>
    public sealed record Logical(FunctionCall Call) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root) => Call.Test(current, root);
    }

    /// <summary>Section 2.3.5.2.2: <c>==</c> and <c>&lt;</c> are defined, the other four from them.</summary>
    public sealed record Comparison(Operand Left, string Operator, Operand Right) : JsonPathFilter
    {
        public override bool Test(JsonElement current, JsonElement root)
        {
            var left = Left.Evaluate(current, root);
            var right = Right.Evaluate(current, root);
            return Operator switch
            {
                "==" => AreEqual(left, right),
                "!=" => !AreEqual(left, right),
                "<" => IsLess(left, right),
                "<=" => IsLess(left, right) || AreEqual(left, right),
                ">" => IsLess(right, left),
                _ => IsLess(right, left) || AreEqual(left, right),
            };
        }

        private static bool AreEqual(JsonElement? left, JsonElement? right)
        {
            if (left is not { } a || right is not { } b)
            {
                return left is null && right is null;
            }

            if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
            {
                return Number(a) == Number(b);
            }

            return JsonElement.DeepEquals(a, b);
        }

        private static bool IsLess(JsonElement? left, JsonElement? right)
        {
            if (left is not { } a || right is not { } b)
            {
                return false;
            }

            if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
            {
                return Number(a) < Number(b);
            }

            return a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String
                && string.CompareOrdinal(a.GetString(), b.GetString()) < 0;
        }

        private static double Number(JsonElement number) => number.GetDouble();
    }

    /// <summary>What a comparison or a function compares: a literal, a singular query or a function of value type. Null is Nothing.</summary>
    public abstract record Operand
    {
        public abstract JsonElement? Evaluate(JsonElement current, JsonElement root);
    }

    public sealed record Literal(JsonElement Value) : Operand
    {
        public override JsonElement? Evaluate(JsonElement current, JsonElement root) => Value;
    }

    /// <summary>A query (<c>@...</c> or <c>$...</c>); as a value it must be singular, and is its node or Nothing.</summary>
    public sealed record FilterQuery(bool Relative, IReadOnlyList<JsonPathSegment> Segments) : Operand
    {
        /// <summary>Only names and indices, one per segment, no descendants (section 2.3.5.1): at most one node.</summary>
        public bool IsSingular => Segments.All(segment => !segment.Descendants && segment.Selectors is [JsonPathSelector.Name or JsonPathSelector.Index]);

        public List<JsonElement> Select(JsonElement current, JsonElement root) => JsonPathQuery.Apply(Segments, Relative ? current : root, root);

        public override JsonElement? Evaluate(JsonElement current, JsonElement root)
            => Select(current, root) is [var node] ? node : null;
    }

    /// <summary>A function extension call, its arguments checked against its parameter types when parsed.</summary>
    public sealed record FunctionCall(string Name, IReadOnlyList<Operand> Arguments) : Operand
    {
        private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(50);

        private readonly Dictionary<string, Regex?> _patterns = [];

        /// <summary>The functions of logical type; the others are of value type.</summary>
        public static bool IsLogical(string name) => name is "match" or "search";

        /// <summary>Which of a function's parameters take a nodelist (NodesType), else a value.</summary>
        public static bool TakesNodes(string name) => name is "count" or "value" or "typeof";

        public static int Arity(string name) => name switch
        {
            "length" or "count" or "value" or "typeof" => 1,
            "match" or "search" => 2,
            _ => -1,
        };

        public override JsonElement? Evaluate(JsonElement current, JsonElement root)
        {
            switch (Name)
            {
                case "length":
                    return Arguments[0].Evaluate(current, root) switch
                    {
                        { ValueKind: JsonValueKind.String } text => NumberOf(text.GetString()!.EnumerateRunes().Count()),
                        { ValueKind: JsonValueKind.Array } array => NumberOf(array.GetArrayLength()),
                        { ValueKind: JsonValueKind.Object } obj => NumberOf(obj.EnumerateObject().Count()),
                        _ => null,
                    };
                case "count":
                    return NumberOf(Nodes(current, root).Count);
                case "value":
                    return Nodes(current, root) is [var single] ? single : null;
                default:
                    // mirrord's typeof (mirrord-config http_filter.rs, BodyFilter::Json): the common type of the nodes, else Nothing.
                    var types = Nodes(current, root).Select(TypeOf).Distinct().ToList();
                    return types is [var type] ? StringOf(type) : null;
            }
        }

        public bool Test(JsonElement current, JsonElement root)
        {
            if (Arguments[0].Evaluate(current, root) is not { ValueKind: JsonValueKind.String } text
                || Arguments[1].Evaluate(current, root) is not { ValueKind: JsonValueKind.String } pattern
                || Pattern(pattern.GetString()!) is not { } regex)
            {
                return false;
            }

            try
            {
                return regex.IsMatch(text.GetString()!);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private List<JsonElement> Nodes(JsonElement current, JsonElement root)
            => Arguments[0] is FilterQuery query ? query.Select(current, root) : Arguments[0].Evaluate(current, root) is { } value ? [value] : [];

        /// <summary>An I-Regexp (RFC 9485), whole-string for <c>match</c>, anywhere for <c>search</c>; one that is not valid matches nothing.</summary>
        private Regex? Pattern(string pattern)
        {
            lock (_patterns)
            {
                if (!_patterns.TryGetValue(pattern, out var regex))
                {
                    try
                    {
                        // .NET's syntax covers I-Regexp's; its '.' also matches '\r', which I-Regexp's does not.
                        regex = new Regex(Name == "match" ? $"^(?:{pattern})$" : pattern, RegexOptions.CultureInvariant, s_regexTimeout);
                    }
                    catch (ArgumentException)
                    {
                        regex = null;
                    }

                    if (_patterns.Count < 64)
                    {
                        _patterns[pattern] = regex;
                    }
                }

                return regex;
            }
        }

        private static string TypeOf(JsonElement node) => node.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Number => "number",
            JsonValueKind.String => "string",
            JsonValueKind.Array => "array",
            _ => "object",
        };
    }

    /// <summary>A JSON number as an element, for a function's result.</summary>
    public static JsonElement NumberOf(long value) => Parse(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A JSON string as an element, for a literal or a function's result.</summary>
    public static JsonElement StringOf(string value) => Parse(new StringBuilder("\"").Append(JsonEncodedText.Encode(value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value).Append('"').ToString());

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
