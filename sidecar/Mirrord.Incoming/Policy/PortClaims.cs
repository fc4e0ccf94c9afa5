using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Policy;

/// <summary>
/// The one rule for how much of a container port a session takes, used by the sidecar (routing,
/// overlaps), the session policy (what counts as "unfiltered") and the CLI (connect, config check,
/// filter-check). It is mirrord's rule from 3.97.0 (CHANGELOG.md, 2024-04-16: "Ports not listed in
/// this field are not stolen, unless listed in <c>incoming.ports</c>") until 3.181.0 (2026-01-12),
/// the seed document's time:
/// <list type="bullet">
/// <item><c>mode: off</c>, <c>ignore_ports</c>, and <c>ports</c> when set decide which ports are claimed at all;</item>
/// <item>without a filter, a claimed port is taken whole;</item>
/// <item>with a filter, a port in <c>http_filter.ports</c> is filtered request by request; any other port is
/// taken whole only when the top-level <c>ports</c> lists it, and is otherwise left alone.</item>
/// </list>
/// </summary>
public static class PortClaims
{
    public static PortClaim For(IncomingConfig config, int port)
    {
        if (config.Mode == IncomingMode.Off)
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.ModeOff);
        }

        if (Contains(config.WithheldPorts, port))
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.PortProtected);
        }

        // As mirrord: ignore_ports names the ports the local process listens on (its layer compares them at bind).
        if (Contains(config.IgnorePorts, config.LocalPortFor(port)))
        {
            return new PortClaim(PortClaimKind.None, config.LocalPortFor(port) == port ? DecisionReason.PortIgnored : DecisionReason.LocalPortIgnored);
        }

        if (config.Ports is { } ports && !Contains(ports, port))
        {
            return new PortClaim(PortClaimKind.None, DecisionReason.PortNotListed);
        }

        if (config.HttpFilter is not { } httpFilter)
        {
            return new PortClaim(PortClaimKind.WholeConnections, DecisionReason.NoFilter);
        }

        if (Contains(httpFilter.Ports, port))
        {
            return new PortClaim(PortClaimKind.FilteredRequests, DecisionReason.PortFiltered);
        }

        return config.Ports is not null
            ? new PortClaim(PortClaimKind.WholeConnections, DecisionReason.PortListedUnfiltered)
            : new PortClaim(PortClaimKind.None, DecisionReason.PortOutsideFilter);
    }

    /// <summary>
    /// What a session with <paramref name="config"/> does with <paramref name="port"/>, why, and how to
    /// change it, in one line: <c>port 3000: left alone: ...</c>.
    /// </summary>
    public static string Describe(IncomingConfig config, int port)
        => $"port {port}: {State(For(config, port).Kind)}: {Because(config, For(config, port).Reason, $"port {port}")}";

    /// <summary>What happens to a port the config does not name (<see cref="Named"/>), in one line.</summary>
    public static string DescribeOthers(IncomingConfig config)
    {
        // Every port no list names is claimed alike: the first of them stands for all.
        var named = Named(config);
        var other = Enumerable.Range(1, 65535).First(port => !named.Contains(port));
        var claim = For(config, other);
        return $"any other port: {State(claim.Kind)}: {Because(config, claim.Reason, "it")}";
    }

    /// <summary>The ports a config names anywhere (ports, ignore_ports, http_filter.ports, port_mapping), in order.</summary>
    public static IReadOnlyList<int> Named(IncomingConfig config)
        => [.. (config.Ports ?? []).Concat(config.IgnorePorts).Concat(config.HttpFilter?.Ports ?? []).Concat(config.PortMapping.Select(m => m.Remote)).Distinct().Order()];

    private static string State(PortClaimKind kind) => kind switch
    {
        PortClaimKind.FilteredRequests => "filtered",
        PortClaimKind.WholeConnections => "taken whole",
        _ => "left alone",
    };

    /// <summary>Why <paramref name="port"/> (a port, or "it") is claimed as it is, with what to write to change it.</summary>
    internal static string Because(IncomingConfig config, DecisionReason reason, string port)
    {
        var verb = config.Mode == IncomingMode.Mirror ? "mirrored" : "stolen";
        return reason switch
        {
            DecisionReason.ModeOff => "mode is \"off\": the session takes nothing",
            DecisionReason.PortIgnored => $"{port} is in ignore_ports",
            DecisionReason.LocalPortIgnored => $"port_mapping maps {port} to a local port that is in ignore_ports (which names local ports, as in mirrord)",
            DecisionReason.PortProtected => $"{port} is protected by the pod's policy (rule {Guardrails.PolicyRules.ProtectedPort}): no session steals it",
            DecisionReason.PortNotListed => $"{port} is not in ports {PortList.Format(config.Ports ?? [])} (add it there to take it)",
            DecisionReason.NoFilter => $"no http_filter is set: every request and connection on {port} is {verb} (set an http_filter to take only some requests)",
            DecisionReason.PortListedUnfiltered =>
                $"{port} is in ports but not in http_filter.ports {PortList.Format(config.HttpFilter!.Ports)}: the whole port is {verb}, unfiltered (add it to http_filter.ports to filter it)",
            DecisionReason.PortOutsideFilter =>
                $"{port} is not in http_filter.ports {PortList.Format(config.HttpFilter!.Ports)}, so the session leaves it to the app " +
                "(add it to http_filter.ports to filter it, or list it in ports to take it whole)",
            DecisionReason.PortFiltered => $"{port} is in http_filter.ports: each request is filtered",
            _ => reason.ToString(),
        };
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
