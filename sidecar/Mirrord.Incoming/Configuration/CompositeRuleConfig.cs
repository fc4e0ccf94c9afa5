using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary><c>all_of</c> (every member must match) or <c>any_of</c> (one member is enough).</summary>
public sealed record CompositeRuleConfig(bool RequiresAll, IReadOnlyList<FilterRuleConfig> Rules, string ConfigPath, SourcePosition Position)
    : FilterRuleConfig(ConfigPath, Position)
{
    public string KeyName => RequiresAll ? "all_of" : "any_of";

    public override string Describe() => $"{KeyName} of {Rules.Count} rules";
}
