using System.Text.Json;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Jsonc;
using Mirrord.Incoming.JsonPath;

namespace Mirrord.Incoming.Configuration;

internal sealed partial class IncomingConfigReader
{
    private static readonly string[] s_filterKinds = ["header_filter", "path_filter", "method_filter", "body_filter", "all_of", "any_of"];
    private static readonly string[] s_httpFilterFields = [.. s_filterKinds, "header_filter_jq", "ports"];
    private static readonly string[] s_memberKinds = ["header", "path", "method", "body"];
    private static readonly string[] s_memberFields = [.. s_memberKinds, "type", "query", "matches"];
    private static readonly string[] s_bodyFields = ["body", "type", "query", "matches"];
    private static readonly string[] s_legacyFilterFields = ["filter", "ports"];

    private HttpFilterConfig? ReadHttpFilter(JsoncValue value, string path)
    {
        // mirrord's ToggleableConfig: true and false both mean no filter of the file's own (only its MIRRORD_HTTP_*
        // variables could give one), so whole ports are taken.
        if (value.Kind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False)
        {
            return null;
        }

        var fields = ReadFields(value, path, s_httpFilterFields);
        if (fields.TryGetValue("header_filter_jq", out var jq))
        {
            RefuseJq(jq.Value, $"{path}.header_filter_jq");
            return null;
        }

        var ports = fields.TryGetValue("ports", out var portsField)
            ? ReadPortList(portsField.Value, $"{path}.ports", allowSingle: true)
            : [.. IncomingConfig.DefaultFilteredPorts];

        var kinds = s_filterKinds.Where(fields.ContainsKey).ToList();
        if (kinds.Count == 0)
        {
            if (portsField is not null)
            {
                Warning($"{path}.ports", portsField.Value, "has no effect without a filter; whole ports are taken");
            }

            return null;
        }

        if (kinds.Count > 1)
        {
            Error(path, value,
                $"sets {string.Join(" and ", kinds)}; set exactly one of {string.Join(", ", s_filterKinds)} (combine several rules with all_of or any_of)");
            return null;
        }

        var kind = kinds[0];
        var field = fields[kind];
        var rulePath = $"{path}.{kind}";
        FilterRuleConfig? rule = kind switch
        {
            "header_filter" => ReadHeaderRule(field.Value, rulePath),
            "path_filter" => ReadPathRule(field.Value, rulePath),
            "method_filter" => ReadMethodRule(field.Value, rulePath),
            "body_filter" => ReadBodyRule(ReadFields(field.Value, rulePath, s_bodyFields), field.Value, rulePath),
            _ => ReadComposite(field.Value, rulePath, requiresAll: kind == "all_of"),
        };

        return rule is null ? null : new HttpFilterConfig(rule, ports);
    }

    // mirrord's older form: "http_header_filter": { "filter": "...", "ports": [...] }.
    private HttpFilterConfig? ReadLegacyHeaderFilter(JsoncValue value, string path)
    {
        var fields = ReadFields(value, path, s_legacyFilterFields);
        Warning(path, value, "is mirrord's deprecated form; it is read as http_filter.header_filter");
        if (!fields.TryGetValue("filter", out var filter))
        {
            return null;
        }

        var ports = fields.TryGetValue("ports", out var portsField)
            ? ReadPortList(portsField.Value, $"{path}.ports", allowSingle: true)
            : [.. IncomingConfig.DefaultFilteredPorts];
        var rule = ReadHeaderRule(filter.Value, $"{path}.filter");
        return rule is null ? null : new HttpFilterConfig(rule, ports);
    }

    private CompositeRuleConfig? ReadComposite(JsoncValue value, string path, bool requiresAll)
    {
        if (value.Kind != JsonValueKind.Array)
        {
            Error(path, value, $"must be an array of filters like {{\"header\": \"...\"}}; got {value.Describe()}");
            return null;
        }

        if (value.Items.Count == 0)
        {
            Error(path, value, "cannot be empty");
            return null;
        }

        var members = new List<FilterRuleConfig>();
        for (var i = 0; i < value.Items.Count; i++)
        {
            if (ReadMember(value.Items[i], $"{path}[{i}]") is { } member)
            {
                members.Add(member);
            }
        }

        return members.Count == value.Items.Count ? new CompositeRuleConfig(requiresAll, members, path, value.Position) : null;
    }

    private FilterRuleConfig? ReadMember(JsoncValue value, string path)
    {
        var fields = ReadFields(value, path, s_memberFields);
        var kinds = s_memberKinds.Where(fields.ContainsKey).ToList();
        if (kinds.Count == 0 && fields.TryGetValue("query", out var jq))
        {
            // mirrord's InnerFilter::HeaderJq: a member with only "query" is a jq program.
            RefuseJq(jq.Value, $"{path}.query");
            return null;
        }

        if (kinds.Count != 1)
        {
            // An unknown field was already reported; "names no filter" would only repeat it.
            var hasUnknownField = value.Properties.Any(property => !s_memberFields.Contains(property.Name));
            if (value.Kind == JsonValueKind.Object && !(kinds.Count == 0 && hasUnknownField))
            {
                Error(path, value, kinds.Count == 0
                    ? "names no filter; use one of {\"header\": ...}, {\"path\": ...}, {\"method\": ...}, {\"body\": \"json\", \"query\": ..., \"matches\": ...}"
                    : $"sets {string.Join(" and ", kinds)}; a member of all_of/any_of holds exactly one filter");
            }

            return null;
        }

        var kind = kinds[0];
        if (kind != "body")
        {
            foreach (var extra in s_bodyFields.Where(name => name != "body" && fields.ContainsKey(name)))
            {
                Error($"{path}.{extra}", fields[extra].Value, $"only applies to a body filter, not to a {kind} filter");
            }
        }

        var field = fields[kind];
        var memberPath = $"{path}.{kind}";
        return kind switch
        {
            "header" => ReadHeaderRule(field.Value, memberPath),
            "path" => ReadPathRule(field.Value, memberPath),
            "method" => ReadMethodRule(field.Value, memberPath),
            // Both of mirrord's spellings: {"body": "json", "query", "matches"} and {"body": {"type": "json", ...}}.
            _ => field.Value.Kind == JsonValueKind.Object
                ? ReadBodyRule(ReadFields(field.Value, memberPath, s_bodyFields), field.Value, memberPath)
                : ReadBodyRule(fields, value, path),
        };
    }

    /// <summary>
    /// jq filters are refused at load: no maintained jq implementation for .NET exists to run them in the sidecar, and a
    /// filter silently dropped would take every request of the port.
    /// </summary>
    private void RefuseJq(JsoncValue value, string path)
        => Error(path, value,
            $"{IncomingConfigParser.JqRefused}; write it as a header_filter regex, or all_of/any_of of {{\"header\": ...}} members");

    private HeaderRuleConfig? ReadHeaderRule(JsoncValue value, string path)
        => ReadPattern(value, path, emptyIsError: true) is { } pattern ? new HeaderRuleConfig(pattern, path, value.Position) : null;

    private PathRuleConfig? ReadPathRule(JsoncValue value, string path)
        => ReadPattern(value, path, emptyIsError: true) is { } pattern ? new PathRuleConfig(pattern, path, value.Position) : null;

    private MethodRuleConfig? ReadMethodRule(JsoncValue value, string path)
    {
        var method = ReadString(value, path);
        if (method is null)
        {
            return null;
        }

        if (method.Length == 0 || !method.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~'))
        {
            Error(path, value, $"must be an HTTP method such as \"GET\" or \"post\"; got \"{method}\"");
            return null;
        }

        return new MethodRuleConfig(method, path, value.Position);
    }

    private JsonBodyRuleConfig? ReadBodyRule(Dictionary<string, JsoncProperty> fields, JsoncValue owner, string path)
    {
        var kindField = fields.GetValueOrDefault("body") ?? fields.GetValueOrDefault("type");
        if (kindField is null)
        {
            Error(path, owner, "a body filter needs \"body\": \"json\"");
            return null;
        }

        var kind = ReadString(kindField.Value, $"{path}.{kindField.Name}");
        if (kind is not null && kind != "json")
        {
            Error($"{path}.{kindField.Name}", kindField.Value, $"must be \"json\" (the only body format supported); got \"{kind}\"");
        }

        string? query = null;
        if (!fields.TryGetValue("query", out var queryField))
        {
            Error(path, owner, "a body filter needs \"query\", a JSONPath such as \"$.user.id\"");
        }
        else if ((query = ReadString(queryField.Value, $"{path}.query")) is not null)
        {
            try
            {
                JsonPathQuery.Parse(query);
            }
            catch (JsonPathSyntaxException ex)
            {
                Error($"{path}.query", queryField.Value, $"invalid JSONPath at offset {ex.Offset}: {ex.Message}");
                query = null;
            }
        }

        string? pattern = null;
        if (!fields.TryGetValue("matches", out var matchesField))
        {
            Error(path, owner, "a body filter needs \"matches\", a regex for the selected values");
        }
        else
        {
            pattern = ReadPattern(matchesField.Value, $"{path}.matches", emptyIsError: false);
        }

        return query is null || pattern is null || kind != "json"
            ? null
            : new JsonBodyRuleConfig(query, pattern, path, owner.Position);
    }

    private string? ReadPattern(JsoncValue value, string path, bool emptyIsError)
    {
        var pattern = ReadString(value, path);
        if (pattern is null)
        {
            return null;
        }

        if (!FilterPattern.TryValidate(pattern, out var error))
        {
            Error(path, value, error!);
            return null;
        }

        if (pattern.Length == 0 && emptyIsError)
        {
            // As in mirrord: an empty header or path filter would steal every request on the port, silently.
            Error(path, value, "is empty, which would match (and steal) every request; write a pattern, or leave http_filter out to steal the whole port");
            return null;
        }

        if (pattern.Length == 0)
        {
            Warning(path, value, "is empty and matches every request");
        }

        return pattern;
    }
}
