using System.Collections.Concurrent;

namespace Mirrord.Testing.Logging;

/// <summary>
/// Keeps every log entry of a program run in-process, so a test can assert what was (and was not)
/// logged, and passes each one to <c>output</c> (a test's output) so a failing test shows what the
/// program did.
/// </summary>
public sealed class RecordingLoggerProvider(Action<string>? output = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        try
        {
            output?.Invoke(entry.ToString());
        }
        catch (InvalidOperationException)
        {
            // The test has finished: its output no longer takes lines.
        }
    }

    private sealed class Recorder(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => provider.Add(new LogEntry(logLevel, category, eventId, formatter(state, exception), exception));
    }
}
