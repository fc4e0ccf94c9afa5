namespace Mirrord.Tunnel;

/// <summary>The ports inside an injected pod (fixed by the design; the webhook writes them into the pod spec).</summary>
public static class SidecarPorts
{
    /// <summary>Where iptables redirects the intercepted ports' traffic.</summary>
    public const int Inbound = 15080;

    /// <summary>The session endpoint, on 127.0.0.1 only: reached through a port-forward.</summary>
    public const int Session = 15081;

    /// <summary>Health checks and Prometheus metrics.</summary>
    public const int Health = 15090;
}
