namespace Mirrord.Incoming.Filtering;

/// <summary>
/// What the filter engine needs to know about one HTTP request, whatever its protocol.
/// The sidecar adapts Kestrel's request to it, the CLI adapts command-line flags.
/// </summary>
public interface IFilterableRequest
{
    /// <summary>The method as sent (HTTP/2 <c>:method</c>).</summary>
    string Method { get; }

    /// <summary>The path without the query string (HTTP/2 <c>:path</c> up to <c>?</c>).</summary>
    string Path { get; }

    /// <summary>The query string including its leading <c>?</c>, or empty.</summary>
    string QueryString { get; }

    /// <summary>The Content-Type header, or null.</summary>
    string? ContentType { get; }

    /// <summary>
    /// The request body when the caller buffered it (only needed when <see cref="HttpFilter.NeedsBody"/>);
    /// empty otherwise.
    /// </summary>
    ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// Calls the visitor once per header value until it returns false. Pseudo-headers are not
    /// visited; HTTP/2 <c>:authority</c> is visited as <c>Host</c>. A header that arrived several
    /// times is visited once per value.
    /// </summary>
    void VisitHeaders<TVisitor>(ref TVisitor visitor)
        where TVisitor : IHeaderVisitor, allows ref struct;
}
