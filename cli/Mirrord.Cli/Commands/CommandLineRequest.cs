using System.Text;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Cli.Commands;

/// <summary>A request described by filter-check's flags, shaped as the sidecar would see it.</summary>
internal sealed class CommandLineRequest : IFilterableRequest
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;

    private CommandLineRequest(string method, string path, string query, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        Method = method;
        Path = path;
        QueryString = query;
        _headers = headers;
        Body = body;
        ContentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
    }

    public string Method { get; }

    public string Path { get; }

    public string QueryString { get; }

    public string? ContentType { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The request target as sent: the path and its query.</summary>
    public string PathAndQuery => Path + QueryString;

    /// <summary>A header's first value, or null.</summary>
    public string? HeaderValue(string name) => _headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Builds the request, or returns an error naming the flag that is malformed.</summary>
    public static CommandLineRequest? TryCreate(string method, string pathAndQuery, IEnumerable<string> headerFlags, string? body, out string? error)
    {
        error = null;
        if (!pathAndQuery.StartsWith('/'))
        {
            error = $"--path \"{pathAndQuery}\" must start with '/'";
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var flag in headerFlags)
        {
            var colon = flag.IndexOf(':', 1);
            var name = colon > 0 ? flag[..colon].Trim() : string.Empty;
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
            {
                error = $"-H/--header \"{flag}\" must look like 'Name: value'";
                return null;
            }

            // HTTP/2 clients send :authority where HTTP/1.1 sends Host; the sidecar sees both as Host.
            name = name.Equals(":authority", StringComparison.OrdinalIgnoreCase) ? "Host" : name;
            headers.Add(new(name, flag[(colon + 1)..].Trim()));
        }

        var queryStart = pathAndQuery.IndexOf('?');
        var path = queryStart >= 0 ? pathAndQuery[..queryStart] : pathAndQuery;
        var query = queryStart >= 0 ? pathAndQuery[queryStart..] : string.Empty;
        return new CommandLineRequest(method, path, query, headers, body is null ? [] : Encoding.UTF8.GetBytes(body));
    }

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
