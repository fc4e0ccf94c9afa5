using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Policy;

/// <summary>Names a rule the way the user wrote it: its place in the config and its pattern.</summary>
internal static class RuleText
{
    private const string IncomingPrefix = "feature.network.incoming.";

    public static string Describe(FilterRule rule)
    {
        var config = rule.Config;
        var path = config.ConfigPath.StartsWith(IncomingPrefix, StringComparison.Ordinal)
            ? config.ConfigPath[IncomingPrefix.Length..]
            : config.ConfigPath;
        return config switch
        {
            CompositeRuleConfig composite => composite.RequiresAll
                ? $"all {composite.Rules.Count} rules of {path}"
                : $"none of the {composite.Rules.Count} rules of {path}",
            HeaderRuleConfig header => $"{path} \"{header.Pattern}\"",
            PathRuleConfig pathRule => $"{path} \"{pathRule.Pattern}\"",
            MethodRuleConfig method => $"{path} \"{method.Method}\"",
            JsonBodyRuleConfig body => $"{path} (query \"{body.Query}\", matches \"{body.Pattern}\")",
            _ => path,
        };
    }
}
