namespace Mirrord.Incoming.Configuration;

/// <summary>
/// The parsed <c>feature.network.incoming</c> object with mirrord's defaults filled in.
/// Immutable; compile it with <see cref="Policy.IncomingTrafficPolicy"/> to evaluate requests.
/// </summary>
public sealed record IncomingConfig
{
    /// <summary>The ports an <c>http_filter</c> applies to when it names none.</summary>
    public static IReadOnlyList<int> DefaultFilteredPorts { get; } = [80, 8080];

    public static IncomingConfig Default { get; } = new();

    public IncomingMode Mode { get; init; } = IncomingMode.Mirror;

    /// <summary>The HTTP filter, or null when none is set (whole ports are taken).</summary>
    public HttpFilterConfig? HttpFilter { get; init; }

    public IReadOnlyList<PortMapping> PortMapping { get; init; } = [];

    /// <summary>
    /// Ports this session never takes, compared as mirrord compares them (mirrord layer <c>socket/ops.rs</c>, <c>bind</c>):
    /// with the port the local process listens on, so a container port is ignored when its <c>port_mapping</c> local port is listed.
    /// </summary>
    public IReadOnlyList<int> IgnorePorts { get; init; } = [];

    /// <summary>Container ports the pod's policy withholds from this session (<c>protectedPorts</c>); never read from a config.</summary>
    public IReadOnlyList<int> WithheldPorts { get; init; } = [];

    /// <summary>When set, the only container ports this session takes; null means every intercepted port.</summary>
    public IReadOnlyList<int>? Ports { get; init; }

    public ConcurrentStealPolicy OnConcurrentSteal { get; init; } = ConcurrentStealPolicy.Abort;

    /// <summary>How requests that reached the pod over TLS reach the local process (<c>tls_delivery</c>); over TLS by default, as in mirrord.</summary>
    public TlsDeliveryConfig TlsDelivery { get; init; } = TlsDeliveryConfig.Default;

    /// <summary>The laptop port that receives traffic for a container port (the same port unless mapped).</summary>
    public int LocalPortFor(int remotePort)
    {
        foreach (var mapping in PortMapping)
        {
            if (mapping.Remote == remotePort)
            {
                return mapping.Local;
            }
        }

        return remotePort;
    }
}
