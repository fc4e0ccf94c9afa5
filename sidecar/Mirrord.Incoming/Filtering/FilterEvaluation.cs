using System.Text.Json;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// The state of one request's evaluation. Header rules are answered together in a single pass
/// over the headers, the first time any of them is asked; the JSON body is parsed at most once.
/// </summary>
internal ref struct FilterEvaluation
{
    private readonly HeaderRule[] _headerRules;
    private readonly HeaderLinePrefilter? _prefilter;
    private readonly Span<bool> _headerResults;
    private bool _headersVisited;
    private bool _bodyParsed;
    private JsonDocument? _body;

    public FilterEvaluation(IFilterableRequest request, HeaderRule[] headerRules, HeaderLinePrefilter? prefilter, Span<bool> headerResults, FilterDeadline deadline)
    {
        Request = request;
        Deadline = deadline;
        _headerRules = headerRules;
        _prefilter = prefilter;
        _headerResults = headerResults;
    }

    public IFilterableRequest Request { get; }

    public FilterDeadline Deadline { get; }

    public bool HeaderMatched(HeaderRule rule)
    {
        if (!_headersVisited)
        {
            _headersVisited = true;
            var pass = new HeaderPass(_headerRules, _prefilter, _headerResults, Deadline);
            Request.VisitHeaders(ref pass);
        }

        return _headerResults[rule.Slot];
    }

    /// <summary>
    /// The body parsed as JSON, whatever its Content-Type says, as mirrord's agent parses it (agent/src/http/filter.rs,
    /// <c>HttpFilter::Body</c>); null when there is none or it is not JSON.
    /// </summary>
    public JsonDocument? JsonBody()
    {
        if (_bodyParsed)
        {
            return _body;
        }

        _bodyParsed = true;
        if (Request.Body.IsEmpty)
        {
            return null;
        }

        try
        {
            _body = JsonDocument.Parse(Request.Body);
        }
        catch (JsonException)
        {
            _body = null;
        }

        return _body;
    }

    public readonly void Dispose() => _body?.Dispose();
}
