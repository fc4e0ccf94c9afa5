using System.Text;

namespace Mirrord.Testing.Logging;

/// <summary>
/// A TextWriter that keeps each line written to it, and lets a test wait for a line: what a
/// program wrote to its standard output (the CLI in-process, the sidecar's audit trail).
/// </summary>
public sealed class LineRecorder : TextWriter
{
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource Done)> _waiters = [];
    private readonly StringBuilder _current = new();

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public override void Write(char value)
    {
        lock (_lines)
        {
            if (value == '\n')
            {
                var line = _current.ToString().TrimEnd('\r');
                _current.Clear();
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Predicate(line)).ToList())
                {
                    waiter.Done.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    public Task WaitForAsync(Func<string, bool> predicate)
    {
        lock (_lines)
        {
            if (_lines.Any(predicate))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, done));
            return done.Task;
        }
    }
}
