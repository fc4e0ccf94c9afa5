using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>Matches when the request method equals <paramref name="Method"/>, ignoring case.</summary>
public sealed record MethodRuleConfig(string Method, string ConfigPath, SourcePosition Position)
    : FilterRuleConfig(ConfigPath, Position)
{
    public override string Describe() => $"method \"{Method}\"";
}
