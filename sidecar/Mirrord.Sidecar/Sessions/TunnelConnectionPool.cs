using System.Threading.Channels;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The tunnel connections a session's CLI has attached, waiting to be used by the session's
/// HTTP/2 client. The client's ConnectCallback takes one; when none is idle it asks the CLI
/// (<c>need-tunnel</c>) and waits a bounded time, so a dead laptop yields a prompt 502, not a hang.
/// </summary>
internal sealed class TunnelConnectionPool
{
    private readonly Channel<DuplexPipeStream> _idle = Channel.CreateUnbounded<DuplexPipeStream>();
    private readonly Func<ValueTask> _requestTunnel;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeProvider _time;
    private readonly CancellationToken _sessionEnding;
    private int _attached;

    public TunnelConnectionPool(Func<ValueTask> requestTunnel, TimeSpan connectTimeout, TimeProvider time, CancellationToken sessionEnding)
    {
        _requestTunnel = requestTunnel;
        _connectTimeout = connectTimeout;
        _time = time;
        _sessionEnding = sessionEnding;
    }

    /// <summary>Tunnel connections currently attached (idle or carrying HTTP/2).</summary>
    public int Attached => Volatile.Read(ref _attached);

    /// <summary>Offers an attached connection and returns when it is closed or the session ends.</summary>
    public async Task AdoptAsync(DuplexPipeStream stream)
    {
        Interlocked.Increment(ref _attached);
        try
        {
            if (!_idle.Writer.TryWrite(stream))
            {
                return;
            }

            await Task.WhenAny(stream.Disposed, Task.Delay(Timeout.Infinite, _sessionEnding));
        }
        finally
        {
            Interlocked.Decrement(ref _attached);
        }
    }

    /// <summary>The SocketsHttpHandler ConnectCallback of the session's client.</summary>
    public async ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!TryTakeLive(out var stream))
        {
            // The wait is timed from before the CLI is asked, so the CLI never sees a request its wait has not started for.
            using var expiry = new CancellationTokenSource(_connectTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _sessionEnding, expiry.Token);
            await _requestTunnel();
            try
            {
                stream = await _idle.Reader.ReadAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException(_sessionEnding.IsCancellationRequested
                    ? "the session ended"
                    : $"the developer's CLI opened no tunnel connection within {_connectTimeout.TotalSeconds:0} s", ex);
            }
        }

        if (_idle.Reader.Count == 0)
        {
            // Keep a spare attached so the next connection, or a replacement for a broken one, is at hand.
            await _requestTunnel();
        }

        return stream;
    }

    // An idle connection whose CLI end went away would fail the first request sent on it; skip those.
    private bool TryTakeLive(out DuplexPipeStream stream)
    {
        while (_idle.Reader.TryRead(out stream!))
        {
            if (!stream.IsPeerClosed())
            {
                return true;
            }

            stream.Dispose();
        }

        return false;
    }

    public void Close()
    {
        _idle.Writer.TryComplete();
        while (_idle.Reader.TryRead(out var stream))
        {
            stream.Dispose();
        }
    }
}
