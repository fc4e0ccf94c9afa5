using Microsoft.AspNetCore.Http.Features;
using Mirrord.Incoming.Filtering;
using Mirrord.Sidecar.Forwarding;

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
    /// Reads a body of known, bounded length into memory, within the <see cref="BufferBudget"/>, and
    /// puts it back in front of the request so it is still forwarded whole; a body filter parses it as
    /// JSON whatever its Content-Type says, as mirrord does. Bodies of unknown length, and any the
    /// budget cannot hold, are left streaming (a body filter then does not match). The bytes are
    /// returned to the budget when the exchange ends.
    /// </summary>
    public async Task BufferJsonBodyAsync(int limit, BufferBudget budget, CancellationToken cancellationToken)
    {
        if (_request.ContentLength is not { } length || length == 0 || length > limit
            || !budget.TryReserve(length, BufferBudget.Uses.BodyFilter))
        {
            return;
        }

        // Pooled: a body filter reads every small JSON body, and fresh arrays for each kept the GC's committed memory high under load.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        _request.HttpContext.Response.RegisterForDispose(new Reservation(budget, length, buffer));
        await _request.Body.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancellationToken);
        _request.Body = new MemoryStream(buffer, 0, (int)length, writable: false);
        Body = buffer.AsMemory(0, (int)length);
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

    /// <summary>Returns a body filter's buffer to the pool and its bytes to the budget when the exchange is disposed.</summary>
    private sealed class Reservation(BufferBudget budget, long bytes, byte[] buffer) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } returned)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(returned);
                budget.Release(bytes);
            }
        }
    }
}
