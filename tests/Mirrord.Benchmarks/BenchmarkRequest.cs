using Mirrord.Incoming.Filtering;

namespace Mirrord.Benchmarks;

/// <summary>A prebuilt request, so the benchmark measures the filter and not request construction.</summary>
public sealed class BenchmarkRequest : IFilterableRequest
{
    private readonly KeyValuePair<string, string>[] _headers;

    public BenchmarkRequest(string method, string path, string query, KeyValuePair<string, string>[] headers)
    {
        Method = method;
        Path = path;
        QueryString = query;
        _headers = headers;
    }

    public string Method { get; }

    public string Path { get; }

    public string QueryString { get; }

    public string? ContentType => null;

    public ReadOnlyMemory<byte> Body => ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    public void VisitHeaders<TVisitor>(ref TVisitor visitor)
        where TVisitor : IHeaderVisitor, allows ref struct
    {
        foreach (var (name, value) in _headers)
        {
            if (!visitor.Visit(name, value))
            {
                return;
            }
        }
    }
}
