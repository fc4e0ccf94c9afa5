using System.Text.Json;

namespace Mirrord.Cli.Output;

/// <summary>
/// What connect tells the developer: progress while connecting, then a line per request. Text for
/// people, JSON lines (<c>--output json</c>) for machines. Thread-safe: requests arrive concurrently.
/// </summary>
internal sealed class Reporter
{
    private readonly TextWriter _output;
    private readonly bool _json;
    private readonly object _gate = new();

    public Reporter(TextWriter output, bool json)
    {
        _output = output;
        _json = json;
    }

    public void Progress(string message) => Write("progress", message, () => message);

    public void Warning(string message) => Write("warning", message, () => $"warning: {message}");

    public void Request(RequestRecord record)
    {
        if (_json)
        {
            WriteLine(JsonSerializer.Serialize(new
            {
                @event = "request",
                at = record.At,
                mode = record.Mode,
                method = record.Method,
                path = record.Path,
                status = record.Status,
                durationMs = Math.Round(record.Duration.TotalMilliseconds, 1),
                pod = record.Pod,
                error = record.Error,
            }));
            return;
        }

        var error = record.Error is null ? string.Empty : $" [{record.Error}]";
        var outcome = record.Status is { } status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not delivered";
        WriteLine($"{record.At:HH:mm:ss} {record.Mode,-6} {record.Method} {record.Path} -> {outcome} ({record.Duration.TotalMilliseconds:0} ms, pod {record.Pod}){error}");
    }

    private void Write(string kind, string message, Func<string> text)
        => WriteLine(_json ? JsonSerializer.Serialize(new { @event = kind, message }) : text());

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
