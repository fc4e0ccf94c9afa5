using System.Diagnostics.Metrics;

namespace Mirrord.Testing;

/// <summary>
/// Kestrel's own account of the connections it finished on one port (its <c>kestrel.active_connections</c>
/// metric, read in-process), so a test can wait until the server has dealt with every connection it
/// opened instead of sleeping.
/// </summary>
public sealed class KestrelConnections : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _port;
    private readonly object _gate = new();
    private int _finished;
    private (int Count, TaskCompletionSource Done)? _waiting;

    public KestrelConnections(int port)
    {
        _port = port;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && Equals(tag.Value, _port) && value < 0)
                {
                    lock (_gate)
                    {
                        _finished++;
                        if (_waiting is { } waiting && _finished >= waiting.Count)
                        {
                            waiting.Done.TrySetResult();
                        }
                    }
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Completes once Kestrel has closed <paramref name="count"/> connections on the port since this was made.</summary>
    public Task FinishedAsync(int count)
    {
        lock (_gate)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_finished >= count)
            {
                done.SetResult();
            }
            else
            {
                _waiting = (count, done);
            }

            return done.Task;
        }
    }

    public void Dispose() => _listener.Dispose();
}
