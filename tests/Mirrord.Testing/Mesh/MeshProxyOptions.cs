using System.Net;

namespace Mirrord.Testing.Mesh;

/// <summary>How the <see cref="MeshProxyStandIn"/> behaves: which mesh's proxy it stands for, and that proxy's settings.</summary>
/// <param name="Mesh"><c>istio</c> or <c>linkerd</c>.</param>
/// <param name="CertificateFile">PEM certificate the proxy presents to callers (the mesh's workload certificate).</param>
/// <param name="KeyFile">Its PEM key.</param>
/// <param name="PodAddress">The pod's IP: where app probes are sent, as pilot-agent sends them.</param>
/// <param name="Strict">Refuse plaintext callers, as Istio's PeerAuthentication STRICT does; otherwise pass them on (PERMISSIVE; Linkerd's default policy).</param>
/// <param name="Http2Ports">Ports whose app speaks HTTP/2: TLS callers negotiate h2 there (ALPN), http/1.1 elsewhere.</param>
/// <param name="AppProbers">Istio's ISTIO_KUBE_APP_PROBERS: the probes pilot-agent runs for kubelet on 15020.</param>
public sealed record MeshProxyOptions(
    string Mesh, string CertificateFile, string KeyFile, IPAddress PodAddress, bool Strict, IReadOnlySet<int> Http2Ports, string? AppProbers)
{
    public bool IsIstio => Mesh == "istio";

    /// <summary>Envoy's virtualInbound (15006), linkerd2-proxy's inbound listener (4143).</summary>
    public int InboundPort => IsIstio ? 15006 : 4143;

    /// <summary>
    /// Envoy's virtualOutbound (15001, istio-iptables <c>-p</c>), linkerd2-proxy's outbound listener (4140,
    /// proxy-init <c>--outgoing-proxy-port</c>): where the mesh's nat OUTPUT rules send the pod's own connections.
    /// </summary>
    public int OutboundPort => IsIstio ? 15001 : 4140;

    /// <summary>
    /// The address the proxy connects to the app from: Envoy binds 127.0.0.6 for inbound passthrough
    /// (pilot/pkg/networking/core/listener_address.go); linkerd2-proxy leaves it to the kernel (the pod IP).
    /// </summary>
    public IPAddress? SourceAddress => IsIstio ? IPAddress.Parse("127.0.0.6") : null;
}
