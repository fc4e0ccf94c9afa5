using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// The environment variables mirrord reads for <c>feature.network.incoming</c>, which win over the file as in mirrord
/// (mirrord-config <c>feature/network/incoming.rs</c> and <c>incoming/http_filter.rs</c>: each is a <c>FromEnv</c> tried
/// before the file's value); <c>connect</c>'s flags win over them. Errors name the variable.
/// </summary>
internal static class EnvironmentOverrides
{
    public const string Mode = "MIRRORD_AGENT_TCP_STEAL_TRAFFIC";
    public const string OnConcurrentSteal = "MIRRORD_OPERATOR_ON_CONCURRENT_STEAL";
    public const string HeaderFilter = "MIRRORD_HTTP_HEADER_FILTER";
    public const string PathFilter = "MIRRORD_HTTP_PATH_FILTER";
    public const string MethodFilter = "MIRRORD_HTTP_METHOD_FILTER";
    public const string HeaderFilterJq = "MIRRORD_HTTP_HEADER_FILTER_JQ";
    public const string FilterPorts = "MIRRORD_HTTP_FILTER_PORTS";

    /// <summary>The config with the variables that are set applied; null after writing what is wrong.</summary>
    public static IncomingConfig? Apply(IncomingConfig config, Func<string, string?> environment, TextWriter error)
    {
        var ok = true;
        if (environment(Mode) is { } mode)
        {
            // IncomingMode::from_str: a boolean first (true is steal, false is off), then the mode's name.
            switch (mode)
            {
                case "true" or "steal":
                    config = config with { Mode = IncomingMode.Steal };
                    break;
                case "false" or "off":
                    config = config with { Mode = IncomingMode.Off };
                    break;
                case "mirror":
                    config = config with { Mode = IncomingMode.Mirror };
                    break;
                default:
                    ok = Fail(error, Mode, mode, "must be true, false, \"steal\", \"mirror\" or \"off\"");
                    break;
            }
        }

        if (environment(OnConcurrentSteal) is { } onConcurrentSteal)
        {
            if (onConcurrentSteal is not ("abort" or "continue" or "override"))
            {
                ok = Fail(error, OnConcurrentSteal, onConcurrentSteal, "must be \"abort\", \"continue\" or \"override\"");
            }
            else
            {
                config = config with { OnConcurrentSteal = Enum.Parse<ConcurrentStealPolicy>(onConcurrentSteal, ignoreCase: true) };
            }
        }

        if (environment(HeaderFilterJq) is { } jq)
        {
            ok = Fail(error, HeaderFilterJq, jq, $"{IncomingConfigParser.JqRefused}; use MIRRORD_HTTP_HEADER_FILTER with a regex");
        }

        var rules = new List<(string Field, FilterRuleConfig Rule)>();
        foreach (var (variable, field) in (ReadOnlySpan<(string, string)>)[(HeaderFilter, "header_filter"), (PathFilter, "path_filter"), (MethodFilter, "method_filter")])
        {
            if (environment(variable) is not { } value)
            {
                continue;
            }

            if (value.Length == 0)
            {
                ok = Fail(error, variable, value, "is empty, which would match (and steal) every request");
            }
            else if (field != "method_filter" && !FilterPattern.TryValidate(value, out var problem))
            {
                ok = Fail(error, variable, value, problem!);
            }
            else
            {
                rules.Add((field, field switch
                {
                    "header_filter" => new HeaderRuleConfig(value, variable, SourcePosition.None),
                    "path_filter" => new PathRuleConfig(value, variable, SourcePosition.None),
                    _ => new MethodRuleConfig(value, variable, SourcePosition.None),
                }));
            }
        }

        var fileField = config.HttpFilter?.Rule switch
        {
            null => null,
            HeaderRuleConfig => "header_filter",
            PathRuleConfig => "path_filter",
            MethodRuleConfig => "method_filter",
            JsonBodyRuleConfig => "body_filter",
            _ => "all_of/any_of",
        };
        if (rules.Count > 1)
        {
            // As mirrord's HttpFilterConfig: one filter field at a time; several rules go in all_of or any_of.
            ok = Fail(error, string.Join(" and ", rules.Select(r => r.Rule.ConfigPath)), "(several)", "set more than one filter; mirrord takes one (write all_of or any_of in the config instead)");
        }
        else if (rules is [var (field, rule)])
        {
            if (fileField is not null && fileField != field)
            {
                ok = Fail(error, rule.ConfigPath, "(set)", $"sets http_filter.{field}, but the config's http_filter already has {fileField}; mirrord takes one filter (combine them with all_of in the config)");
            }
            else
            {
                config = config with { HttpFilter = new HttpFilterConfig(rule, config.HttpFilter?.Ports ?? IncomingConfig.DefaultFilteredPorts) };
            }
        }

        if (environment(FilterPorts) is { } portsText)
        {
            // VecOrSingle::from_str: ports separated by ';'.
            var ports = portsText.Split(';').Select(part => int.TryParse(part, out var port) && port is >= 1 and <= 65535 ? port : (int?)null).ToList();
            if (ports.Any(port => port is null))
            {
                ok = Fail(error, FilterPorts, portsText, "must be ports from 1 to 65535 separated by ';' (e.g. 80;8080)");
            }
            else if (config.HttpFilter is { } filter)
            {
                config = config with { HttpFilter = filter with { Ports = [.. ports.Select(port => port!.Value)] } };
            }
            else
            {
                error.WriteLine($"warning: {FilterPorts}={portsText} has no effect without a filter; whole ports are taken");
            }
        }

        return ok ? config : null;
    }

    private static bool Fail(TextWriter error, string variable, string value, string problem)
    {
        error.WriteLine($"error: environment variable {variable}=\"{value}\": {problem}");
        return false;
    }
}
