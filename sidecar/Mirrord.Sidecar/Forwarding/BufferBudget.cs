using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// One process-wide budget for every request body the sidecar keeps in memory beyond streaming it:
/// mirrored copies and bodies buffered for a body filter. Under a container's memory limit these grow
/// with load, and an OOM kill refuses every redirected connection until the restart; so each buffer is
/// reserved here first, and when the budget is spent the copy is dropped or the body filter sees no
/// match. The request itself never waits for the budget and never fails for it. Reservations are
/// returned when the buffer is let go.
/// </summary>
internal sealed partial class BufferBudget
{
    private readonly SidecarMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BufferBudget> _logger;
    private long _available;
    private long _lastWarning = long.MinValue;

    public BufferBudget(IOptions<SidecarOptions> options, SidecarMetrics metrics, TimeProvider time, ILogger<BufferBudget> logger)
        : this(options.Value.Limits.BufferBudgetBytes, metrics, time, logger)
    {
        metrics.ObserveBufferBudget(() => InUse);
    }

    /// <summary>A budget of <paramref name="capacity"/> bytes; without <paramref name="metrics"/> nothing is counted.</summary>
    internal BufferBudget(long capacity, SidecarMetrics? metrics, TimeProvider time, ILogger<BufferBudget> logger)
    {
        Capacity = capacity;
        _available = capacity;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>At most one warning per this interval when the budget runs out: a flood would otherwise flood the log.</summary>
    public static TimeSpan WarningInterval { get; } = TimeSpan.FromMinutes(1);

    public long Capacity { get; }

    /// <summary>Bytes reserved now.</summary>
    public long InUse => Capacity - Volatile.Read(ref _available);

    /// <summary>Reserves <paramref name="bytes"/> for <paramref name="use"/> (a metric label), or says the budget is spent (counted, logged at most once a minute).</summary>
    public bool TryReserve(long bytes, string use)
    {
        var available = Volatile.Read(ref _available);
        while (available >= bytes)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available)
            {
                return true;
            }

            available = seen;
        }

        _metrics?.BufferBudgetSpent(use);
        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastWarning);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= WarningInterval) && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            Log.BudgetSpent(_logger, Capacity, use);
        }

        return false;
    }

    public void Release(long bytes) => Interlocked.Add(ref _available, bytes);

    /// <summary>What a reservation is for, as the metric labels it.</summary>
    public static class Uses
    {
        public const string MirrorCopy = "mirror-copy";
        public const string BodyFilter = "body-filter";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.BufferBudgetSpent, EventName = "BufferBudgetSpent", Level = LogLevel.Warning,
            Message = "The sidecar's buffer budget ({Capacity} bytes, Sidecar:Limits:BufferBudgetBytes) is spent: a {Use} was skipped " +
                "(mirror copies are dropped, body filters see no match; requests still reach where they go). Said at most once a minute; mirrord_buffer_budget_spent_total counts each")]
        public static partial void BudgetSpent(ILogger logger, long capacity, string use);
    }
}
