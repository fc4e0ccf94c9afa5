namespace Mirrord.Incoming.Filtering;

/// <summary>How filter patterns are compiled and how long one match may run.</summary>
public sealed class FilterOptions
{
    public static FilterOptions Default { get; } = new();

    /// <summary>
    /// Upper bound for one regex match. A match that runs longer counts as "no match" and is
    /// logged, so a hostile pattern or header cannot stall the proxy.
    /// </summary>
    public TimeSpan MatchTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Compile patterns to IL: milliseconds once per session, then tens of nanoseconds per match.
    /// Validation-only callers (webhook, <c>config check</c>) turn it off.
    /// </summary>
    public bool CompileToIL { get; init; } = true;
}
