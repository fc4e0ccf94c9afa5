namespace Mirrord.Sidecar.Hosting;

/// <summary>
/// What the sidecar accepts from a caller before anything reaches the app or a tunnel, bound from
/// <c>Sidecar:Limits</c> (environment <c>MIRRORD_Sidecar__Limits__RequestHeadersTimeout</c> and so on).
/// The defaults are Kestrel's, which most apps already live with; a request over a limit is answered
/// by the sidecar (400, 408, 413, 431) and never forwarded in part.
/// </summary>
public sealed class HttpLimitsOptions
{
    /// <summary>HTTP/1.1 request line (method, target, version); longer ones get 414.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>All request headers together; more gets 431.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Number of request headers; more gets 431.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// Request body in bytes; larger gets 413. Unlimited by default: the sidecar is transparent
    /// and the app keeps its own limit.
    /// </summary>
    public long? MaxRequestBodySize { get; set; }

    /// <summary>How long a caller may take to send the request headers (slowloris); then the connection is closed with 408.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An idle keep-alive connection is closed after this.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// A request body arriving slower than this many bytes per second (after a 5 s grace) is aborted,
    /// so a trickling upload cannot hold a connection to the app forever; 0 turns the check off.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Concurrent HTTP/2 streams per connection; a client that opens more gets REFUSED_STREAM.</summary>
    public int Http2MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>One HTTP/2 header field (name and value, decoded); more closes the connection.</summary>
    public int Http2MaxRequestHeaderFieldSize { get; set; } = 16 * 1024;

    /// <summary>Connections open at once; further ones are closed as they arrive. Unlimited by default.</summary>
    public long? MaxConcurrentConnections { get; set; }
}
