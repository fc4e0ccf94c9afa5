namespace Mirrord.Incoming.Filtering;

/// <summary>
/// How long the filters may spend on one request, all sessions together. Each regex match is already
/// cut at <see cref="FilterOptions.MatchTimeout"/>, but a request has many header lines and a pod many
/// sessions, so matches add up: past this deadline no further pattern is tried for the request, and
/// every match not yet tried counts as no match (the request then goes where "no match" sends it,
/// the app for a steal filter). The default value is no deadline.
/// </summary>
public readonly struct FilterDeadline
{
    private readonly TimeProvider? _time;
    private readonly long _started;
    private readonly TimeSpan _budget;

    public FilterDeadline(TimeProvider time, TimeSpan budget)
    {
        _time = time;
        _started = time.GetTimestamp();
        _budget = budget;
    }

    /// <summary>The default filter time per request.</summary>
    public static TimeSpan DefaultBudget { get; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan Budget => _budget;

    /// <summary>True once the request's filter time is used up.</summary>
    public bool IsSpent => _time is not null && _time.GetElapsedTime(_started) >= _budget;
}
