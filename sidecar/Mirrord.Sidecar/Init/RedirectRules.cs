using System.Globalization;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Sidecar.Init;

/// <summary>
/// The nat-table rules for a <see cref="RedirectSpec"/>, as iptables argument lists. Our chains are
/// flushed and refilled and the jumps added only when missing, so running the step again changes
/// nothing. Behind a mesh every rule matches something only the mesh can produce (its proxy's
/// source address or uid, a port it does not capture), so the rules mean the same whether the
/// mesh's own init runs before or after this one.
/// </summary>
internal static class RedirectRules
{
    public const string InboundChain = "MIRRORD_INBOUND";
    public const string OutputChain = "MIRRORD_OUTPUT";

    /// <summary>Envoy's bind address for inbound passthrough, which Istio's own OUTPUT rules also single out (pilot/pkg/networking/core/listener_address.go).</summary>
    public const string IstioPassthroughSource = "127.0.0.6/32";

    /// <summary>The chains this spec fills, each with its rules (flushed and refilled on every run).</summary>
    public static IReadOnlyList<(string Chain, IReadOnlyList<string[]> Rules)> Chains(RedirectSpec spec)
    {
        var chains = new List<(string, IReadOnlyList<string[]>)>
        {
            (InboundChain, [.. spec.PreroutingPorts.Select(port => Redirect(spec, "-p", "tcp", "--dport", Invariant(port)))]),
        };
        if (spec.Mode != RedirectMode.Prerouting)
        {
            chains.Add((OutputChain, [.. spec.Ports.SelectMany(port => OutputRules(spec, port))]));
        }

        return chains;
    }

    /// <summary>Rules in built-in chains, each added once: (chain, insert at the top?, rule).</summary>
    public static IReadOnlyList<(string Chain, bool First, string[] Rule)> Jumps(RedirectSpec spec)
    {
        var jumps = new List<(string, bool, string[])> { ("PREROUTING", false, ["-p", "tcp", "-j", InboundChain]) };
        if (spec.Mode != RedirectMode.Prerouting)
        {
            jumps.Add(("OUTPUT", false, ["-p", "tcp", "-j", OutputChain]));

            // Kubelet probes the sidecar before the mesh proxy may be running (a mesh proxy that is a
            // regular container starts after every init container): its health port stays out of
            // the mesh's capture, as Istio keeps 15020/15021 and Linkerd 4190/4191 out of their own.
            jumps.Add(("PREROUTING", true, ["-p", "tcp", "--dport", Invariant(spec.HealthPort ?? Tunnel.SidecarPorts.Health), "-j", "RETURN"]));
        }

        return jumps;
    }

    private static IEnumerable<string[]> OutputRules(RedirectSpec spec, int port)
    {
        var uid = Invariant(spec.MeshProxyUid ?? 0);
        var dport = Invariant(port);
        if (spec.Mode == RedirectMode.BehindIstio)
        {
            // Inbound passthrough: Envoy binds 127.0.0.6 and connects to the original destination
            // (pilot/pkg/networking/core/cluster_builder.go, buildInboundPassthroughCluster), and
            // pilot-agent's app probes bind it too (pilot/cmd/pilot-agent/status/server.go).
            yield return Redirect(spec, "-o", "lo", "-s", IstioPassthroughSource, "-p", "tcp", "--dport", dport);

            // A Sidecar resource may send inbound traffic to 127.0.0.1, from Envoy's own uid.
            yield return Redirect(spec, "-o", "lo", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", dport, "-m", "owner", "--uid-owner", uid);
        }
        else
        {
            // linkerd-proxy connects to the original destination (the pod IP) as its own uid; its
            // connections to its own pod are plaintext (linkerd2-proxy#1219), so every one is a request.
            yield return Redirect(spec, "-o", "lo", "-p", "tcp", "--dport", dport, "-m", "owner", "--uid-owner", uid);
        }
    }

    private static string[] Redirect(RedirectSpec spec, params string[] match)
        => [.. match, "-j", "REDIRECT", "--to-ports", Invariant(spec.InboundPort)];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
