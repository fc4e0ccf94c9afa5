using System.Globalization;

namespace Mirrord.Tunnel.Settings;

/// <summary>
/// What the sidecar accepts from a caller before anything reaches the app or a tunnel: the sidecar
/// binds it from <c>Sidecar:Limits</c> (environment <c>MIRRORD_Sidecar__Limits__RequestHeadersTimeout</c>
/// and so on), the webhook from <c>Injection:SidecarLimits</c> and hands it to every injected sidecar.
/// The defaults are Kestrel's, which most apps already live with; a request over a limit is answered
/// by the sidecar (400, 408, 413, 431) and never forwarded in part.
/// </summary>
public sealed class HttpLimitsOptions
{
    private static readonly HttpLimitsOptions s_defaults = new();

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

    /// <summary>
    /// How long a request passed to the app may go without a byte moving either way before the sidecar
    /// cuts it (504 before the answer started, else the exchange is aborted; upgraded connections such as
    /// WebSockets are closed). Unset by default: a caller talking to the app through the sidecar keeps
    /// what it has talking to the app directly, idle WebSockets, long polls and sparse gRPC streams
    /// included. Stolen requests never have one (a developer may hold them at a breakpoint).
    /// </summary>
    public TimeSpan? PassThroughIdleTimeout { get; set; }

    /// <summary>
    /// Bytes of request bodies the sidecar may hold in memory at once beyond streaming them: mirrored
    /// copies and bodies read for a body filter. Past it a copy is dropped and a body filter sees no
    /// match; no request waits or fails for it. 16 MiB by default, within the injected 96 MiB limit
    /// with room for connections under load (docs/BENCHMARKS.md); raise it with the memory limit.
    /// </summary>
    public long BufferBudgetBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Every setting by name, as configuration text (invariant culture; times as <c>hh:mm:ss</c>).</summary>
    public IEnumerable<(string Name, string? Value)> Settings()
    {
        yield return (nameof(MaxRequestLineSize), Text(MaxRequestLineSize));
        yield return (nameof(MaxRequestHeadersTotalSize), Text(MaxRequestHeadersTotalSize));
        yield return (nameof(MaxRequestHeaderCount), Text(MaxRequestHeaderCount));
        yield return (nameof(MaxRequestBodySize), Text(MaxRequestBodySize));
        yield return (nameof(RequestHeadersTimeout), Text(RequestHeadersTimeout));
        yield return (nameof(KeepAliveTimeout), Text(KeepAliveTimeout));
        yield return (nameof(MinRequestBodyBytesPerSecond), Text(MinRequestBodyBytesPerSecond));
        yield return (nameof(Http2MaxStreamsPerConnection), Text(Http2MaxStreamsPerConnection));
        yield return (nameof(Http2MaxRequestHeaderFieldSize), Text(Http2MaxRequestHeaderFieldSize));
        yield return (nameof(MaxConcurrentConnections), Text(MaxConcurrentConnections));
        yield return (nameof(PassThroughIdleTimeout), Text(PassThroughIdleTimeout));
        yield return (nameof(BufferBudgetBytes), Text(BufferBudgetBytes));
    }

    /// <summary>The settings that differ from the defaults: all an injected sidecar needs to be told.</summary>
    public IEnumerable<(string Name, string Value)> ChangedSettings()
        => Settings().Zip(s_defaults.Settings()).Where(pair => pair.First.Value != pair.Second.Value).Select(pair => (pair.First.Name, pair.First.Value ?? string.Empty));

    /// <summary>What is wrong with the values, each message naming <paramref name="section"/>:setting and the value.</summary>
    public IEnumerable<string> Validate(string section)
    {
        foreach (var (setting, value) in new (string, long?)[]
        {
            (nameof(MaxRequestLineSize), MaxRequestLineSize),
            (nameof(MaxRequestHeadersTotalSize), MaxRequestHeadersTotalSize),
            (nameof(MaxRequestHeaderCount), MaxRequestHeaderCount),
            (nameof(MaxRequestBodySize), MaxRequestBodySize),
            (nameof(Http2MaxStreamsPerConnection), Http2MaxStreamsPerConnection),
            (nameof(Http2MaxRequestHeaderFieldSize), Http2MaxRequestHeaderFieldSize),
            (nameof(MaxConcurrentConnections), MaxConcurrentConnections),
        })
        {
            if (value < 1)
            {
                yield return $"{section}:{setting} must be at least 1 (leave it unset for the default); got {value}";
            }
        }

        // A request the sidecar accepts must also cross the tunnel, with the sidecar's own headers added (HeaderLimits).
        foreach (var (setting, value, most) in new (string, long, long)[]
        {
            (nameof(MaxRequestLineSize), MaxRequestLineSize, HeaderLimits.RequestHeaderBytes - HeaderLimits.TunnelHeaderReserveBytes),
            (nameof(MaxRequestHeadersTotalSize), MaxRequestHeadersTotalSize, HeaderLimits.RequestHeaderBytes - HeaderLimits.TunnelHeaderReserveBytes),
            (nameof(Http2MaxRequestHeaderFieldSize), Http2MaxRequestHeaderFieldSize, HeaderLimits.RequestHeaderBytes - HeaderLimits.TunnelHeaderReserveBytes),
            (nameof(MaxRequestHeaderCount), MaxRequestHeaderCount, HeaderLimits.RequestHeaderCount - 16),
        })
        {
            if (value > most)
            {
                yield return $"{section}:{setting} must be at most {most}, what a stolen request can carry over the tunnel with the sidecar's own headers; got {value}";
            }
        }

        foreach (var (setting, value) in new[] { (nameof(RequestHeadersTimeout), RequestHeadersTimeout), (nameof(KeepAliveTimeout), KeepAliveTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{section}:{setting} must be a positive time such as 00:00:30; got {value}";
            }
        }

        if (PassThroughIdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            yield return $"{section}:{nameof(PassThroughIdleTimeout)} must be a positive time such as 00:05:00 (leave it unset for none); got {idle}";
        }

        if (BufferBudgetBytes < 0)
        {
            yield return $"{section}:{nameof(BufferBudgetBytes)} must be 0 (no mirror copies or body filters) or more; got {BufferBudgetBytes}";
        }

        if (MinRequestBodyBytesPerSecond < 0)
        {
            yield return $"{section}:{nameof(MinRequestBodyBytesPerSecond)} must be 0 (off) or more; got {MinRequestBodyBytesPerSecond}";
        }
    }

    private static string? Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture);
}
