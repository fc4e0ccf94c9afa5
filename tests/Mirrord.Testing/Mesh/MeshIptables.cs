using System.Globalization;

namespace Mirrord.Testing.Mesh;

/// <summary>
/// The nat rules a mesh's own init step installs in a pod, as iptables arguments in the order it
/// installs them, for the injectors' default settings. Written from the meshes' sources, which the
/// comments cite; the golden files beside those sources show the same rules.
/// </summary>
public static class MeshIptables
{
    /// <summary>
    /// istio-iptables as Istio's injection template runs it (<c>-p 15001 -z 15006 -u 1337 -m REDIRECT -i * -x "" -b * -d 15090,15021,15020</c>):
    /// tools/istio-iptables/pkg/capture/run.go (handleInboundPortsInclude, Run), as in its golden
    /// testdata/inbound-ports-wildcard.golden with the excluded ports and the catch-all outbound redirect of <c>-i *</c>
    /// (testdata/kube-virt-interfaces.golden).
    /// </summary>
    public static IReadOnlyList<string[]> Istio(int proxyUid = 1337)
    {
        var uid = Invariant(proxyUid);
        var rules = new List<string[]>
        {
            Nat("-N", "ISTIO_INBOUND"),
            Nat("-N", "ISTIO_REDIRECT"),
            Nat("-N", "ISTIO_IN_REDIRECT"),
            Nat("-N", "ISTIO_OUTPUT"),
            Nat("-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", "15008", "-j", "RETURN"),
            Nat("-A", "ISTIO_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", "15001"),
            Nat("-A", "ISTIO_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", "15006"),
            Nat("-A", "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND"),
        };
        rules.AddRange(new[] { "15090", "15021", "15020" }.Select(port => Nat("-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "RETURN")));
        rules.AddRange(
        [
            Nat("-A", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_IN_REDIRECT"),
            Nat("-A", "OUTPUT", "-j", "ISTIO_OUTPUT"),
            Nat("-A", "ISTIO_OUTPUT", "-o", "lo", "-s", "127.0.0.6/32", "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", "127.0.0.1/32", "-p", "tcp", "!", "--dport", "15008", "-m", "owner", "--uid-owner", uid, "-j", "ISTIO_IN_REDIRECT"),
            Nat("-A", "ISTIO_OUTPUT", "-o", "lo", "-m", "owner", "!", "--uid-owner", uid, "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-m", "owner", "--uid-owner", uid, "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", "127.0.0.1/32", "-p", "tcp", "!", "--dport", "15008", "-m", "owner", "--gid-owner", uid, "-j", "ISTIO_IN_REDIRECT"),
            Nat("-A", "ISTIO_OUTPUT", "-o", "lo", "-m", "owner", "!", "--gid-owner", uid, "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-m", "owner", "--gid-owner", uid, "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-d", "127.0.0.1/32", "-j", "RETURN"),
            Nat("-A", "ISTIO_OUTPUT", "-j", "ISTIO_REDIRECT"),
        ]);
        return rules;
    }

    /// <summary>
    /// linkerd2-proxy-init as Linkerd's injector runs it (<c>--incoming-proxy-port 4143 --outgoing-proxy-port 4140
    /// --proxy-uid 2102 --inbound-ports-to-ignore 4190,4191,4567,4568 --outbound-ports-to-ignore 4567,4568</c>):
    /// linkerd2-proxy-init pkg/iptables/iptables.go (addIncomingTrafficRules, then addOutgoingTrafficRules).
    /// </summary>
    public static IReadOnlyList<string[]> Linkerd(int proxyUid = 2102) =>
    [
        Nat("-N", "PROXY_INIT_REDIRECT"),
        Nat("-A", "PROXY_INIT_REDIRECT", "-p", "tcp", "--match", "multiport", "--dports", "4190,4191,4567,4568", "-j", "RETURN"),
        Nat("-A", "PROXY_INIT_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-port", "4143"),
        Nat("-A", "PREROUTING", "-j", "PROXY_INIT_REDIRECT"),
        Nat("-N", "PROXY_INIT_OUTPUT"),
        Nat("-A", "PROXY_INIT_OUTPUT", "-m", "owner", "--uid-owner", Invariant(proxyUid), "-j", "RETURN"),
        Nat("-A", "PROXY_INIT_OUTPUT", "-o", "lo", "-j", "RETURN"),
        Nat("-A", "PROXY_INIT_OUTPUT", "-p", "tcp", "--match", "multiport", "--dports", "4567,4568", "-j", "RETURN"),
        Nat("-A", "PROXY_INIT_OUTPUT", "-p", "tcp", "-j", "REDIRECT", "--to-port", "4140"),
        Nat("-A", "OUTPUT", "-j", "PROXY_INIT_OUTPUT"),
    ];

    private static string[] Nat(params string[] rule) => ["-w", "-t", "nat", .. rule];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
