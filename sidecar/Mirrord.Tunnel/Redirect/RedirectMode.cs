namespace Mirrord.Tunnel.Redirect;

/// <summary>How intercepted traffic reaches the sidecar, which depends on the service mesh in the pod.</summary>
public enum RedirectMode
{
    /// <summary>No mesh: nat PREROUTING redirects the intercepted ports' inbound connections.</summary>
    Prerouting,

    /// <summary>
    /// Behind Istio's sidecar: Envoy terminates mTLS and connects to the app from 127.0.0.6 (or as
    /// its own uid to 127.0.0.1); nat OUTPUT redirects those connections, so the sidecar sees
    /// decrypted requests. PREROUTING only takes ports Istio does not capture.
    /// </summary>
    BehindIstio,

    /// <summary>
    /// Behind linkerd-proxy: it terminates mTLS and connects to the original destination as its
    /// own uid; nat OUTPUT redirects those connections. PREROUTING only takes ports Linkerd skips.
    /// </summary>
    BehindLinkerd,
}
