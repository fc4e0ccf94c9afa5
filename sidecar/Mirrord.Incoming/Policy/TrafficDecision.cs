using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Policy;

/// <summary>
/// The decision for one request on one port. Carries an enum and the deciding rule rather than
/// text, so deciding allocates nothing; <see cref="Explain"/> builds the sentence when someone reads it.
/// </summary>
public readonly record struct TrafficDecision(TrafficAction Action, DecisionReason Reason, int Port, FilterRule? Rule)
{
    public string Explain(IncomingTrafficPolicy policy)
    {
        var config = policy.Config;
        var verb = config.Mode == Configuration.IncomingMode.Mirror ? "mirrored" : "stolen";
        return Reason switch
        {
            DecisionReason.ModeOff => "mode is \"off\": the session takes nothing",
            DecisionReason.PortIgnored => $"port {Port} is in ignore_ports",
            DecisionReason.PortNotListed => $"port {Port} is not in ports {PortList.Format(config.Ports ?? [])}",
            DecisionReason.NoFilter => $"no http_filter is set: every request and connection on port {Port} is {verb}",
            DecisionReason.PortNotFiltered =>
                $"port {Port} is not in http_filter.ports {PortList.Format(config.HttpFilter!.Ports)}: the whole port is {verb}, unfiltered",
            DecisionReason.PortFiltered => $"port {Port} is in http_filter.ports: each request is filtered",
            DecisionReason.FilterMatched => $"matched {RuleText.Describe(Rule!)}",
            DecisionReason.FilterNotMatched => $"did not match {RuleText.Describe(Rule!)}",
            _ => Reason.ToString(),
        };
    }
}
