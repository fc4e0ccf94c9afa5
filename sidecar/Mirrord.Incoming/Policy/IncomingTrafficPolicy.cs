using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Policy;

/// <summary>
/// One session's <c>feature.network.incoming</c>, compiled: which ports it claims
/// (<see cref="PortClaims"/>) and, per request, whether it steals, mirrors or passes.
/// </summary>
public sealed class IncomingTrafficPolicy
{
    private IncomingTrafficPolicy(IncomingConfig config, HttpFilter? filter)
    {
        Config = config;
        Filter = filter;
    }

    public IncomingConfig Config { get; }

    public HttpFilter? Filter { get; }

    private TrafficAction ClaimAction => Config.Mode == IncomingMode.Mirror ? TrafficAction.Mirror : TrafficAction.Steal;

    public static IncomingTrafficPolicy Compile(IncomingConfig config, FilterOptions? options = null, ILogger? logger = null)
    {
        var filter = config.HttpFilter is { } httpFilter ? HttpFilter.Compile(httpFilter.Rule, options, logger) : null;
        return new IncomingTrafficPolicy(config, filter);
    }

    /// <summary>How much of <paramref name="port"/> this session takes (<see cref="PortClaims.For"/>).</summary>
    public PortClaim ClaimFor(int port) => PortClaims.For(Config, port);

    /// <summary>Decides one request on one port; <paramref name="deadline"/> bounds the time its filter may take (none by default).</summary>
    public TrafficDecision Decide(int port, IFilterableRequest request, FilterDeadline deadline = default)
    {
        var claim = ClaimFor(port);
        switch (claim.Kind)
        {
            case PortClaimKind.None:
                return new TrafficDecision(TrafficAction.Pass, claim.Reason, port, null);
            case PortClaimKind.WholeConnections:
                return new TrafficDecision(ClaimAction, claim.Reason, port, null);
            default:
                var verdict = Filter!.Evaluate(request, deadline);
                return verdict.IsMatch
                    ? new TrafficDecision(ClaimAction, DecisionReason.FilterMatched, port, verdict.DecidingRule)
                    : new TrafficDecision(TrafficAction.Pass, DecisionReason.FilterNotMatched, port, verdict.DecidingRule);
        }
    }
}
