using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>Matches when the request path, with or without its query string, matches <paramref name="Pattern"/>.</summary>
public sealed record PathRuleConfig(string Pattern, string ConfigPath, SourcePosition Position)
    : FilterRuleConfig(ConfigPath, Position)
{
    public override string Describe() => $"path \"{Pattern}\"";
}
