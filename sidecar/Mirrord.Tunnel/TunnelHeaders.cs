namespace Mirrord.Tunnel;

/// <summary>
/// Headers the sidecar adds to requests on the tunnel (removed by the CLI) and to its own error answers.
/// Every <c>mirrord-</c> header a caller sends is removed from the requests the sidecar sends down the
/// tunnel before it adds its own, so what the CLI reads here was set by the sidecar alone.
/// </summary>
public static class TunnelHeaders
{
    /// <summary>The container port the request was sent to.</summary>
    public const string Port = "mirrord-port";

    /// <summary><see cref="Http11"/> or <see cref="Http2"/>: what the original client spoke.</summary>
    public const string Protocol = "mirrord-protocol";

    /// <summary>Present ("1") when the caller spoke TLS to the pod and the sidecar terminated it (HTTPS stealing).</summary>
    public const string Tls = "mirrord-tls";

    /// <summary>With <see cref="Tls"/>: the name the caller asked for in its TLS handshake (SNI), when it sent one.</summary>
    public const string TlsServerName = "mirrord-tls-server-name";

    /// <summary><see cref="Steal"/>, <see cref="Mirror"/>, or <see cref="Tcp"/> for a whole connection.</summary>
    public const string Mode = "mirrord-mode";

    public const string Steal = "steal";
    public const string Mirror = "mirror";

    /// <summary>A whole TCP connection stolen as one full-duplex request (to <see cref="TcpPath"/>): the CLI relays its bytes.</summary>
    public const string Tcp = "tcp";

    /// <summary>A stolen request's number within its session: what the CLI claims before delivering it.</summary>
    public const string RequestId = "mirrord-request-id";

    /// <summary>On a response the sidecar or CLI made up itself: why the request was not delivered.</summary>
    public const string Error = "mirrord-error";

    /// <summary>
    /// On such a response: which request it was (<c>SESSION-ID/NUMBER</c>), for the developer and the logs,
    /// which name the session; the caller is never told whose session it was.
    /// </summary>
    public const string ErrorReference = "mirrord-error-ref";

    public const string Http11 = "http/1.1";
    public const string Http2 = "h2";

    /// <summary>The path of a whole TCP connection carried as one full-duplex request.</summary>
    public const string TcpPath = "/.mirrord/tcp";

    public static bool IsTunnelHeader(string name)
        => name.StartsWith("mirrord-", StringComparison.OrdinalIgnoreCase);
}
