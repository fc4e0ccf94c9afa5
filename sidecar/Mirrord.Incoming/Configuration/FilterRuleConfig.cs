using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>One rule of an <c>http_filter</c>, as the user wrote it.</summary>
/// <param name="ConfigPath">Where the rule stands, e.g. <c>feature.network.incoming.http_filter.any_of[1].header</c>.</param>
/// <param name="Position">Its place in the source text, when it came from text.</param>
public abstract record FilterRuleConfig(string ConfigPath, SourcePosition Position)
{
    /// <summary>The rule as a user would recognise it, e.g. <c>header "^X-Dev: alice$"</c>.</summary>
    public abstract string Describe();
}
