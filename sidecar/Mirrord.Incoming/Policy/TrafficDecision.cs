using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Policy;

/// <summary>
/// The decision for one request on one port. Carries an enum and the deciding rule rather than
/// text, so deciding allocates nothing; <see cref="Explain"/> builds the sentence when someone reads it.
/// </summary>
public readonly record struct TrafficDecision(TrafficAction Action, DecisionReason Reason, int Port, FilterRule? Rule)
{
    public string Explain(IncomingTrafficPolicy policy) => Reason switch
    {
        DecisionReason.FilterMatched => $"matched {RuleText.Describe(Rule!)}",
        DecisionReason.FilterNotMatched => $"did not match {RuleText.Describe(Rule!)}",
        _ => PortClaims.Because(policy.Config, Reason, $"port {Port}"),
    };
}
