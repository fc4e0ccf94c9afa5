using Microsoft.AspNetCore.Http.Features;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// Kestrel's request as the filter engine sees it: the raw request target (so HTTP/1.1 and
/// HTTP/2 <c>:path</c> match alike), headers one value at a time (HTTP/2 <c>:authority</c> is
/// already <c>Host</c> in Kestrel), and the body only when a body filter asked for it.
/// </summary>
internal sealed class KestrelFilterableRequest : IFilterableRequest
{
    private readonly HttpRequest _request;

    public KestrelFilterableRequest(HttpContext context)
    {
        _request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            Path = _request.PathBase.Add(_request.Path).Value ?? "/";
            QueryString = _request.QueryString.Value ?? string.Empty;
        }
        else
        {
            var query = target.IndexOf('?');
            Path = query >= 0 ? target[..query] : target;
            QueryString = query >= 0 ? target[query..] : string.Empty;
        }
    }

    public string Method => _request.Method;

    public string Path { get; }

    public string QueryString { get; }

    public string? ContentType => _request.ContentType;

    public ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>
    /// Reads a JSON body of known, bounded length into memory and rewinds the request so it can
    /// still be forwarded. Other bodies are left streaming (a body filter then does not match).
    /// </summary>
    public async Task BufferJsonBodyAsync(int limit, CancellationToken cancellationToken)
    {
        if (_request.ContentLength is not { } length || length == 0 || length > limit
            || ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return;
        }

        _request.EnableBuffering(limit, limit);
        var buffer = new byte[length];
        await _request.Body.ReadExactlyAsync(buffer, cancellationToken);
        _request.Body.Position = 0;
        Body = buffer;
    }

    public void VisitHeaders<TVisitor>(ref TVisitor visitor)
        where TVisitor : IHeaderVisitor, allows ref struct
    {
        foreach (var header in _request.Headers)
        {
            foreach (var value in header.Value)
            {
                if (value is not null && !visitor.Visit(header.Key, value))
                {
                    return;
                }
            }
        }
    }
}
