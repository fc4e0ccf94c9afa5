using System.Globalization;
using System.Net;
using Mirrord.Sidecar.Listeners;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// A copy of a request for mirror sessions: the request line and headers as they arrived, the body
/// as the forwarder read it. Sent after the container has answered; its response is discarded. The
/// body's bytes are held in the <see cref="BufferBudget"/> until the last send that uses them ends
/// (<see cref="Retain"/>, <see cref="Release"/>; the router holds the first reference).
/// </summary>
internal sealed class MirrorCopy
{
    private static readonly HashSet<string> s_notCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "TE", "Content-Length",
    };

    private readonly string _method;
    private readonly string _pathAndQuery;
    private readonly KeyValuePair<string, string[]>[] _headers;
    private readonly TeeReadStream? _body;
    private readonly int _port;
    private readonly bool _http2;
    private readonly bool _tls;
    private readonly string? _tlsServerName;
    private int _references = 1;

    private MirrorCopy(HttpContext context, TeeReadStream? body)
    {
        var request = context.Request;
        _method = request.Method;
        _pathAndQuery = (request.PathBase + request.Path).Value + request.QueryString.Value;
        _headers = [.. request.Headers
            .Where(header => !IsHopByHop(header.Key))
            .Select(header => new KeyValuePair<string, string[]>(header.Key, [.. header.Value.Where(v => v is not null).Select(v => v!)]))];
        _body = body;
        _port = InboundConnection.ContainerPortOf(context) ?? 0;
        _http2 = HttpProtocol.IsHttp2(request.Protocol);
        _tls = InboundConnection.IsTls(context);
        _tlsServerName = InboundConnection.TlsServerName(context);
    }

    /// <summary>
    /// Snapshots the request line and headers and starts keeping the body as the forwarder reads it
    /// (up to <paramref name="maxBodyBytes"/>, within <paramref name="budget"/>). Call before forwarding.
    /// </summary>
    public static MirrorCopy Begin(HttpContext context, int maxBodyBytes, BufferBudget budget)
    {
        TeeReadStream? tee = null;
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            tee = new TeeReadStream(context.Request.Body, maxBodyBytes, context.Request.ContentLength, budget);
            context.Request.Body = tee;
        }

        return new MirrorCopy(context, tee);
    }

    /// <summary>True when the whole body was seen and fits the limit and the budget, so the copy is faithful.</summary>
    public bool IsComplete => _body is null || (_body.Complete && _body.Bytes is not null);

    /// <summary>Why an incomplete copy is not sent, for the drop's log line.</summary>
    public string WhyIncomplete(int maxBodyBytes) => _body?.OverBudget == true
        ? "the sidecar's buffer budget was spent (Sidecar:Limits:BufferBudgetBytes)"
        : $"the body was over {maxBodyBytes} bytes or not read to its end";

    /// <summary>Another user of the body's bytes (a send in flight).</summary>
    public void Retain() => Interlocked.Increment(ref _references);

    /// <summary>A user is done with the bytes; the last one returns them to the budget.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _body?.ReleaseBudget();
        }
    }

    public HttpRequestMessage ToRequest(string destinationPrefix)
    {
        var message = new HttpRequestMessage(new HttpMethod(_method), destinationPrefix + _pathAndQuery.TrimStart('/'))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = _body?.Bytes is { Length: > 0 } bytes ? new ReadOnlyMemoryContent(bytes) : null,
        };
        foreach (var (name, values) in _headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, values))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        message.Headers.TryAddWithoutValidation(TunnelHeaders.Port, _port.ToString(CultureInfo.InvariantCulture));
        message.Headers.TryAddWithoutValidation(TunnelHeaders.Protocol, _http2 ? TunnelHeaders.Http2 : TunnelHeaders.Http11);
        message.Headers.TryAddWithoutValidation(TunnelHeaders.Mode, TunnelHeaders.Mirror);
        if (_tls)
        {
            message.Headers.TryAddWithoutValidation(TunnelHeaders.Tls, "1");
            if (_tlsServerName is not null)
            {
                message.Headers.TryAddWithoutValidation(TunnelHeaders.TlsServerName, _tlsServerName);
            }
        }

        return message;
    }

    // A caller's own tunnel headers never ride along: the CLI believes those of a copy as of a stolen request.
    private static bool IsHopByHop(string name) => s_notCopied.Contains(name) || name.StartsWith(':') || TunnelHeaders.IsTunnelHeader(name);
}
