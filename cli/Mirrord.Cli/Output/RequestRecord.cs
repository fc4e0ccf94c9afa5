namespace Mirrord.Cli.Output;

/// <summary>One stolen or mirrored request as the developer sees it in the live output.</summary>
internal sealed record RequestRecord(DateTimeOffset At, string Mode, string Method, string Path, int Status, TimeSpan Duration, string Pod, string? Error);
