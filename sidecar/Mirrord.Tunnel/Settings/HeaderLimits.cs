namespace Mirrord.Tunnel.Settings;

/// <summary>
/// How much header each hop a stolen request crosses accepts: the caller to the sidecar (the
/// platform team's <see cref="HttpLimitsOptions"/>, Kestrel's defaults), the tunnel (the CLI's HTTP/2
/// server), the CLI to the local process and back. The first hop decides: a request the sidecar
/// accepted must cross every later hop, with the sidecar's own tunnel headers added, and an answer the
/// app or the local process gave must come back, so a request over a limit is refused alone by the
/// sidecar (431, 414) and never breaks the tunnel or its other requests. These bounds hold for every
/// hop after the first, and <see cref="HttpLimitsOptions.Validate"/> keeps the first below them.
/// </summary>
public static class HeaderLimits
{
    /// <summary>Request headers (all together, or one HTTP/2 field) the tunnel and the CLI accept.</summary>
    public const int RequestHeaderBytes = 1024 * 1024;

    /// <summary>Request header lines the tunnel and the CLI accept.</summary>
    public const int RequestHeaderCount = 10_000;

    /// <summary>What the sidecar's own tunnel headers (port, protocol, request id, mode, TLS) may take; a caller's limits leave room for them.</summary>
    public const int TunnelHeaderReserveBytes = 4 * 1024;

    /// <summary>Response headers accepted from the app, over the tunnel and from the local process (a caller talking to the app directly has none).</summary>
    public const int ResponseHeaderBytes = 1024 * 1024;

    /// <summary><see cref="ResponseHeaderBytes"/> as SocketsHttpHandler's MaxResponseHeadersLength takes it, in KiB.</summary>
    public static int ResponseHeaderKilobytes { get; } = ResponseHeaderBytes / 1024;
}
