using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>
/// Matches a JSON request body when a value selected by the JSONPath <paramref name="Query"/>,
/// turned into text, matches <paramref name="Pattern"/>.
/// </summary>
public sealed record JsonBodyRuleConfig(string Query, string Pattern, string ConfigPath, SourcePosition Position)
    : FilterRuleConfig(ConfigPath, Position)
{
    public override string Describe() => $"json body {Query} matching \"{Pattern}\"";
}
