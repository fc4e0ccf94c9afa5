namespace Mirrord.Cli.Output;

/// <summary>One stolen or mirrored request as the developer sees it in the live output.</summary>
/// <param name="At">When it finished.</param>
/// <param name="Mode"><c>steal</c> or <c>mirror</c>.</param>
/// <param name="Method">The request method.</param>
/// <param name="Path">Path and query.</param>
/// <param name="Status">The status the local process answered; null when the request was not delivered to it.</param>
/// <param name="Duration">From its arrival on the tunnel to its answer.</param>
/// <param name="Pod">The pod it was stolen from.</param>
/// <param name="Error">What went wrong, if anything.</param>
internal sealed record RequestRecord(DateTimeOffset At, string Mode, string Method, string Path, int? Status, TimeSpan Duration, string Pod, string? Error);
