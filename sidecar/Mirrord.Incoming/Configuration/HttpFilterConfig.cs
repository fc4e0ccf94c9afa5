namespace Mirrord.Incoming.Configuration;

/// <summary><c>http_filter</c>: one top-level rule and the container ports it is applied to.</summary>
public sealed record HttpFilterConfig(FilterRuleConfig Rule, IReadOnlyList<int> Ports);
