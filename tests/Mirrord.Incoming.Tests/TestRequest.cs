using System.Text;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Tests;

/// <summary>A request as the sidecar's adapter presents it: headers in arrival order, one entry per value.</summary>
public sealed class TestRequest : IFilterableRequest
{
    private readonly List<KeyValuePair<string, string>> _headers = [];

    public TestRequest(string method, string pathAndQuery)
    {
        Method = method;
        var queryStart = pathAndQuery.IndexOf('?');
        Path = queryStart >= 0 ? pathAndQuery[..queryStart] : pathAndQuery;
        QueryString = queryStart >= 0 ? pathAndQuery[queryStart..] : string.Empty;
    }

    public string Method { get; }

    public string Path { get; }

    public string QueryString { get; }

    public string? ContentType => _headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

    public ReadOnlyMemory<byte> Body { get; private set; }

    public int HeadersVisited { get; private set; }

    public static TestRequest Get(string pathAndQuery = "/") => new("GET", pathAndQuery);

    /// <summary>Headers as "Name: value" lines.</summary>
    public TestRequest With(params string[] lines)
    {
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', 1);
            _headers.Add(new(line[..colon], line[(colon + 1)..].TrimStart()));
        }

        return this;
    }

    public TestRequest WithBody(string contentType, string body)
    {
        _headers.Add(new("Content-Type", contentType));
        Body = Encoding.UTF8.GetBytes(body);
        return this;
    }

    public void VisitHeaders<TVisitor>(ref TVisitor visitor)
        where TVisitor : IHeaderVisitor, allows ref struct
    {
        foreach (var (name, value) in _headers)
        {
            HeadersVisited++;
            if (!visitor.Visit(name, value))
            {
                return;
            }
        }
    }

    /// <summary>Each header as the line a header rule is matched against.</summary>
    public IEnumerable<string> HeaderLines => _headers.Select(h => $"{h.Key}: {h.Value}");

    public override string ToString() => $"{Method} {Path}{QueryString} [{string.Join("; ", _headers.Select(h => $"{h.Key}: {h.Value}"))}]";
}
