namespace Mirrord.Testing.Logging;

/// <summary>One log entry a program under test wrote.</summary>
public sealed record LogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString()
        => $"{Level} {Category}[{EventId.Id}] {Message}{(Exception is null ? string.Empty : $"\n{Exception}")}";
}
