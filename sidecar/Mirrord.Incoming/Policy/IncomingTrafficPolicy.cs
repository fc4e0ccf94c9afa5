using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Policy;

/// <summary>
/// One session's <c>feature.network.incoming</c>, compiled: which ports it claims and, per
/// request, whether it steals, mirrors or passes. The rules are mirrord's:
/// <list type="bullet">
/// <item><c>ignore_ports</c> and <c>ports</c> decide which ports are claimed at all;</item>
/// <item>with no filter, a claimed port is taken whole;</item>
/// <item>with a filter, ports in <c>http_filter.ports</c> are filtered per request and any other
/// claimed port is taken whole, unfiltered.</item>
/// </list>
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

    public PortClaim ClaimFor(int port)
    {
        if (Config.Mode == IncomingMode.Off)
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.ModeOff);
        }

        if (Contains(Config.IgnorePorts, port))
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.PortIgnored);
        }

        if (Config.Ports is { } ports && !Contains(ports, port))
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.PortNotListed);
        }

        if (Config.HttpFilter is not { } httpFilter)
        {
            return new PortClaim(PortClaimKind.WholeConnections, DecisionReason.NoFilter);
        }

        return Contains(httpFilter.Ports, port)
            ? new PortClaim(PortClaimKind.FilteredRequests, DecisionReason.PortFiltered)
            : new PortClaim(PortClaimKind.WholeConnections, DecisionReason.PortNotFiltered);
    }

    public TrafficDecision Decide(int port, IFilterableRequest request)
    {
        var claim = ClaimFor(port);
        switch (claim.Kind)
        {
            case PortClaimKind.None:
                return new TrafficDecision(TrafficAction.Pass, claim.Reason, port, null);
            case PortClaimKind.WholeConnections:
                return new TrafficDecision(ClaimAction, claim.Reason, port, null);
            default:
                var verdict = Filter!.Evaluate(request);
                return verdict.IsMatch
                    ? new TrafficDecision(ClaimAction, DecisionReason.FilterMatched, port, verdict.DecidingRule)
                    : new TrafficDecision(TrafficAction.Pass, DecisionReason.FilterNotMatched, port, verdict.DecidingRule);
        }
    }

    private static bool Contains(IReadOnlyList<int> ports, int port)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] == port)
            {
                return true;
            }
        }

        return false;
    }
}
