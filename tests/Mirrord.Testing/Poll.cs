namespace Mirrord.Testing;

/// <summary>
/// Waits for a state the test cannot await (a session leaving the sidecar's registry, a Secret being
/// rewritten) by looking again until it holds. The bound turns "never" into a failure that says what
/// was awaited; it is not a speed assertion.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(20);

    public static async Task UntilAsync(Func<Task<bool>> condition, string awaited, TimeSpan? bound = null)
    {
        var limit = bound ?? TimeSpan.FromSeconds(20);
        var started = TimeProvider.System.GetTimestamp();
        using var ticks = new PeriodicTimer(s_interval);
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"{awaited}: still not so after {limit.TotalSeconds:0} s");
            }

            await ticks.WaitForNextTickAsync();
        }
    }

    public static Task UntilAsync(Func<bool> condition, string awaited, TimeSpan? bound = null)
        => UntilAsync(() => Task.FromResult(condition()), awaited, bound);
}
