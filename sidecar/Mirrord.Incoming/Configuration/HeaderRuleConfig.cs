using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>Matches when any request header, rendered as <c>Name: value</c>, matches <paramref name="Pattern"/>.</summary>
public sealed record HeaderRuleConfig(string Pattern, string ConfigPath, SourcePosition Position)
    : FilterRuleConfig(ConfigPath, Position)
{
    public override string Describe() => $"header \"{Pattern}\"";
}
