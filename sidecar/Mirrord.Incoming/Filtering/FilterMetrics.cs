using System.Diagnostics.Metrics;

namespace Mirrord.Incoming.Filtering;

/// <summary>Counters of the filter engine, exported by whichever program hosts it.</summary>
public static class FilterMetrics
{
    public const string MeterName = "Mirrord.Incoming";

    private static readonly Meter s_meter = new(MeterName);

    internal static Counter<long> DeadlinesSpent { get; } = s_meter.CreateCounter<long>(
        "mirrord.filter.deadline_spent", description: "Patterns not tried because the request's filter time was used up; each counted as no match.");

    internal static Counter<long> MatchTimeouts { get; } = s_meter.CreateCounter<long>(
        "mirrord.filter.match_timeouts", description: "Regex matches that ran past their timeout and counted as no match.");
}
