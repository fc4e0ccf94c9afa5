using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The sidecar's side of a session's control connection: answers pings, asks for tunnels, notices
/// silence. Its clocks start when it is made, before the CLI hears that it is registered, and the
/// silence clock restarts before any frame is answered: whatever the CLI has seen, the sidecar's
/// clock saw first.
/// </summary>
internal sealed class ControlChannel : IDisposable
{
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly TimeSpan _silenceTimeout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Not disposed: its timer may fire while the channel is being disposed, and it holds no timer of its own.
    private readonly CancellationTokenSource _silence = new();
    private readonly ITimer _silenceTimer;
    private readonly PeriodicTimer _pingTimer;
    private long _pingSentAt;

    public ControlChannel(Stream stream, TimeSpan silenceTimeout, TimeProvider time)
    {
        _stream = stream;
        _time = time;
        _silenceTimeout = silenceTimeout;
        _silenceTimer = time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), _silence, silenceTimeout, Timeout.InfiniteTimeSpan);
        _pingTimer = new PeriodicTimer(PingInterval, time);
    }

    public async Task SendAsync(SessionMessage message)
    {
        await _writeLock.WaitAsync();
        try
        {
            await SessionFrames.WriteAsync(_stream, message);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask RequestTunnelAsync()
    {
        try
        {
            await SendAsync(new NeedTunnelMessage());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The session is ending; its requests get their 502 from the connect timeout.
        }
    }

    /// <summary>How often the sidecar measures the round trip to the CLI (<see cref="SessionTimings.SidecarPingInterval"/>).</summary>
    public static TimeSpan PingInterval => SessionTimings.SidecarPingInterval;

    /// <summary>Receives each measured round trip of a sidecar ping.</summary>
    public Action<TimeSpan>? RoundTripMeasured { get; set; }

    /// <summary>Decides the CLI's claims of stolen requests (see <see cref="StealTicket"/>).</summary>
    public Func<long, bool>? Claim { get; set; }

    public void Dispose()
    {
        _silenceTimer.Dispose();
        _pingTimer.Dispose();
        _writeLock.Dispose();
    }

    /// <summary>Serves the connection until it ends; returns why.</summary>
    public async Task<string> ServeAsync(CancellationToken closed)
    {
        using var stopPinging = CancellationTokenSource.CreateLinkedTokenSource(closed);
        var pinging = PingLoopAsync(stopPinging.Token);
        try
        {
            return await ReadLoopAsync(closed);
        }
        finally
        {
            await stopPinging.CancelAsync();
            await pinging;
        }
    }

    private async Task PingLoopAsync(CancellationToken stopping)
    {
        try
        {
            while (await _pingTimer.WaitForNextTickAsync(stopping))
            {
                Interlocked.Exchange(ref _pingSentAt, _time.GetTimestamp());
                await SendAsync(new PingMessage());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The read loop notices the end of the connection and reports why.
        }
    }

    private ClaimedMessage Decide(ClaimMessage claim)
    {
        var granted = new List<long>(claim.RequestIds.Count);
        var refused = new List<long>();
        foreach (var id in claim.RequestIds)
        {
            (Claim?.Invoke(id) == true ? granted : refused).Add(id);
        }

        return new ClaimedMessage(granted, refused);
    }

    private async Task<string> ReadLoopAsync(CancellationToken closed)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(closed, _silence.Token);
        while (true)
        {
            SessionMessage? message;
            try
            {
                message = await SessionFrames.ReadAsync(_stream, reading.Token);
            }
            catch (OperationCanceledException) when (!closed.IsCancellationRequested)
            {
                return $"no ping for {_silenceTimeout.TotalSeconds:0} s";
            }
            catch (OperationCanceledException)
            {
                return "the control connection closed";
            }

            _silenceTimer.Change(_silenceTimeout, Timeout.InfiniteTimeSpan);

            switch (message)
            {
                case null:
                    return "the control connection closed";
                case PingMessage:
                    await SendAsync(new PongMessage());
                    break;
                case PongMessage:
                    RoundTripMeasured?.Invoke(_time.GetElapsedTime(Interlocked.Read(ref _pingSentAt)));
                    break;
                case UnregisterMessage:
                    return "the CLI ended it";
                case ClaimMessage { RequestIds: not null } claim:
                    await SendAsync(Decide(claim));
                    break;
                default:
                    await SendAsync(new ErrorMessage(SessionErrorCodes.BadFrame, $"unexpected {message.GetType().Name} on a control connection"));
                    return $"the CLI sent an unexpected {message.GetType().Name}";
            }
        }
    }
}
