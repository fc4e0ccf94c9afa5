namespace Mirrord.Sidecar.Init;

/// <summary>
/// The nat chains a service mesh's own init step leaves in a pod (Istio's istio-iptables,
/// tools/istio-iptables/pkg/constants/constants.go; Linkerd's proxy-init, pkg/iptables/iptables.go),
/// found in <c>iptables-save</c> output so the init step can say what it sits beside.
/// </summary>
internal static class MeshChains
{
    private static readonly (string Chain, string Mesh)[] s_inbound = [("ISTIO_INBOUND", "Istio"), ("PROXY_INIT_REDIRECT", "Linkerd")];

    /// <summary>The meshes whose inbound capture is installed, with the chain that shows it.</summary>
    public static IReadOnlyList<(string Mesh, string Chain)> Installed(string natTable)
        => [.. s_inbound.Where(c => natTable.Contains($"\n:{c.Chain} ", StringComparison.Ordinal) || natTable.StartsWith($":{c.Chain} ", StringComparison.Ordinal)).Select(c => (c.Mesh, c.Chain))];
}
