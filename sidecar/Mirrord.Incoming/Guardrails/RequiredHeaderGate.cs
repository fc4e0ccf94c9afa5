using System.Text.RegularExpressions;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Guardrails;

/// <summary>
/// The policy's <see cref="RequiredHeader"/>s, compiled once: whether a request carries every one of
/// them, and so may be stolen or copied at all. One pass over the headers per rule; allocates nothing.
/// </summary>
public sealed class RequiredHeaderGate
{
    private readonly (string Name, Regex? Value)[] _headers;

    public RequiredHeaderGate(IReadOnlyList<RequiredHeader> headers)
        => _headers = [.. headers.Select(h => (h.Name, h.ValuePattern is null ? null : FilterPattern.Create(h.ValuePattern, ignoreCase: false, FilterOptions.Default)))];

    /// <summary>True when there is nothing to require.</summary>
    public bool IsOpen => _headers.Length == 0;

    public bool Admits(IFilterableRequest request)
    {
        foreach (var (name, value) in _headers)
        {
            var finder = new Finder(name, value);
            request.VisitHeaders(ref finder);
            if (!finder.Found)
            {
                return false;
            }
        }

        return true;
    }

    private struct Finder(string name, Regex? value) : IHeaderVisitor
    {
        public bool Found { get; private set; }

        public bool Visit(string header, string headerValue)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase) && (value is null || Matches(value, headerValue)))
            {
                Found = true;
                return false;
            }

            return true;
        }

        // A value that runs past the match timeout does not count as carried: the request stays with the app.
        private static bool Matches(Regex value, string text)
        {
            try
            {
                return value.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }
}
