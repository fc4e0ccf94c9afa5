namespace Mirrord.Tunnel;

/// <summary>
/// The ports inside an injected pod. The injector writes them into the pod spec, the sidecar
/// listens on them and the CLI dials them, all from here. They sit beside, never on, the
/// well-known ports of the service meshes a pod may also carry (Istio: 15000-15009, 15020,
/// 15021, 15053, 15090; Linkerd: 4140, 4143, 4190, 4191).
/// </summary>
public static class SidecarPorts
{
    /// <summary>Where iptables redirects the intercepted ports' traffic.</summary>
    public const int Inbound = 15080;

    /// <summary>The session endpoint, on 127.0.0.1 only: reached through a port-forward.</summary>
    public const int Session = 15081;

    /// <summary>Health checks and Prometheus metrics (15090, its first home, is Envoy's Prometheus port in Istio pods).</summary>
    public const int Health = 15082;

    /// <summary>
    /// On <see cref="Health"/>: <c>/app-tcp/{port}</c> answers 200 when the app accepts a TCP
    /// connection on that intercepted port, 503 when it does not. The injector points a tcpSocket
    /// probe on an intercepted port here, since the sidecar's own listener would otherwise answer it.
    /// </summary>
    public const string AppTcpProbePath = "/app-tcp/";

    /// <summary>Every port the sidecar binds: a pod whose app listens on one of them cannot be injected.</summary>
    public static IReadOnlyList<int> All { get; } = [Inbound, Session, Health];
}
