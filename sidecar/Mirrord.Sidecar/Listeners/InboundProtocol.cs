namespace Mirrord.Sidecar.Listeners;

/// <summary>What a new inbound connection speaks, judged from its first bytes.</summary>
internal enum InboundProtocol
{
    /// <summary>Not decided yet: more bytes are needed.</summary>
    Undecided,

    /// <summary>An HTTP/1.x request line.</summary>
    Http1,

    /// <summary>The HTTP/2 connection preface (cleartext prior knowledge, as gRPC clients send).</summary>
    Http2,

    /// <summary>A TLS handshake record (a ClientHello): terminated on ports with HTTPS stealing, else relayed as <see cref="Raw"/>.</summary>
    Tls,

    /// <summary>Anything else: TLS on other ports, a database protocol.</summary>
    Raw,

    /// <summary>Nothing within the silence timeout: a server-speaks-first protocol (relayed like <see cref="Raw"/>), or a caller that waits.</summary>
    Silent,
}
