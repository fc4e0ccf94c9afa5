using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.JsonPath;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// <c>body_filter</c> / <c>{"body": "json", ...}</c>: parses the body as JSON (whatever its
/// Content-Type), selects values with the JSONPath query and matches each, as text, against the
/// pattern (case-sensitive). A body that is missing, not JSON or selects nothing does not match.
/// </summary>
public sealed class JsonBodyRule : RegexRule
{
    private readonly JsonPathQuery _query;

    internal JsonBodyRule(JsonBodyRuleConfig config, FilterOptions options, ILogger logger)
        : base(config, FilterPattern.Create(config.Pattern, ignoreCase: false, options), logger)
    {
        _query = JsonPathQuery.Parse(config.Query);
    }

    internal override bool NeedsBody => true;

    internal override bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider)
    {
        decider = this;
        var document = evaluation.JsonBody();
        if (document is null)
        {
            return false;
        }

        foreach (var node in _query.Select(document.RootElement))
        {
            if (IsMatch(TextOf(node), evaluation.Deadline))
            {
                return true;
            }
        }

        return false;
    }

    // Strings match on their value, everything else on its JSON text (numbers as written, true, null, objects).
    private static string TextOf(JsonElement node)
        => node.ValueKind == JsonValueKind.String ? node.GetString()! : node.GetRawText();
}
