using System.Globalization;
using System.Net;
using Mirrord.Sidecar.Listeners;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// A snapshot of a request taken before it goes to the container, sent to mirror sessions after
/// the container has answered. Its response is read and discarded.
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
    private readonly byte[] _body;
    private readonly int _port;
    private readonly bool _http2;

    private MirrorCopy(HttpContext context, byte[] body)
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
    }

    /// <summary>Buffers the body (known length up to <paramref name="maxBodyBytes"/>) and snapshots the request; null when it is too large to copy.</summary>
    public static async Task<MirrorCopy?> CaptureAsync(HttpContext context, int maxBodyBytes)
    {
        var request = context.Request;
        var length = request.ContentLength;
        var hasBody = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        if (!hasBody)
        {
            return new MirrorCopy(context, []);
        }

        if (length is not { } known || known > maxBodyBytes)
        {
            return null;
        }

        request.EnableBuffering(maxBodyBytes, maxBodyBytes);
        var body = new byte[known];
        await request.Body.ReadExactlyAsync(body, context.RequestAborted);
        request.Body.Position = 0;
        return new MirrorCopy(context, body);
    }

    public HttpRequestMessage ToRequest(string destinationPrefix)
    {
        var message = new HttpRequestMessage(new HttpMethod(_method), destinationPrefix + _pathAndQuery.TrimStart('/'))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = _body.Length > 0 ? new ByteArrayContent(_body) : null,
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
        message.Headers.TryAddWithoutValidation(TunnelHeaders.Mode, "mirror");
        return message;
    }

    private static bool IsHopByHop(string name) => s_notCopied.Contains(name) || name.StartsWith(':');
}
