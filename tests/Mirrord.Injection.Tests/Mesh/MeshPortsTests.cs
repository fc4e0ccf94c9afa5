using Mirrord.Tunnel;

namespace Mirrord.Injection.Mesh.Tests;

/// <summary>The sidecar's ports stay clear of the ports a mesh's proxy holds in the same pod.</summary>
public sealed class MeshPortsTests
{
    /// <summary>Istio's data-plane ports: pilot/cmd/pilot-agent/status/server.go (istioReservedPorts), plus 15009 (HBONE on gateways).</summary>
    private static readonly int[] s_istio = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

    /// <summary>linkerd-proxy's ports: charts/linkerd-control-plane/values.yaml (proxy.ports: admin, control, inbound, outbound).</summary>
    private static readonly int[] s_linkerd = [4140, 4143, 4190, 4191];

    [Fact]
    public void SidecarPorts_AreNoneOfTheMeshesPorts()
    {
        Assert.Empty(SidecarPorts.All.Intersect(s_istio));
        Assert.Empty(SidecarPorts.All.Intersect(s_linkerd));
    }
}
