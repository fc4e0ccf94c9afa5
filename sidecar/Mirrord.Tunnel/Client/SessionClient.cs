using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Tunnel.Client;

/// <summary>
/// The CLI's end of one session on one sidecar: registers, keeps the control connection alive
/// with pings, opens tunnel connections on demand, claims each stolen request before it is
/// delivered, and unregisters on dispose. Its clocks start before registration returns, and the
/// silence clock restarts before a frame is acted on, so what its caller has seen, the clock saw first.
/// </summary>
public sealed class SessionClient : IAsyncDisposable
{
    private readonly SessionDialer _dial;
    private readonly Stream _control;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action _onNeedTunnel;
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _claims = new();
    private readonly Channel<long> _claimQueue = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeProvider _time;

    // Not disposed: its timer may fire while the client is being disposed, and it holds no timer of its own.
    private readonly CancellationTokenSource _silence = new();
    private readonly ITimer _silenceTimer;
    private readonly PeriodicTimer _pingTimer;
    private long _pingSentAt;
    private Task _loops = Task.CompletedTask;

    private SessionClient(SessionDialer dial, Stream control, RegisteredMessage registered, Action onNeedTunnel, TimeProvider time)
    {
        _dial = dial;
        _control = control;
        _onNeedTunnel = onNeedTunnel;
        _time = time;
        _silenceTimer = time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), _silence, SilenceTimeout, Timeout.InfiniteTimeSpan);
        _pingTimer = new PeriodicTimer(PingInterval, time);
        SessionId = registered.SessionId;
        Secret = registered.Secret;
        SidecarVersion = registered.SidecarVersion;
        InterceptedPorts = registered.InterceptedPorts;
        Notice = registered.Notice;
        PortStates = registered.PortStates ?? [];
    }

    private static readonly TimeSpan s_goodbyeTimeout = TimeSpan.FromSeconds(2);

    // About 21 KB of ids at most, well inside a frame (SessionFrames.MaxFrameLength).
    private const int MaxClaimsPerFrame = 1024;

    /// <summary><see cref="SessionTimings.CliPingInterval"/>.</summary>
    public static TimeSpan PingInterval => SessionTimings.CliPingInterval;

    /// <summary><see cref="SessionTimings.CliSilenceTimeout"/>.</summary>
    public static TimeSpan SilenceTimeout => SessionTimings.CliSilenceTimeout;

    public string SessionId { get; }

    public string SidecarVersion { get; }

    public IReadOnlyList<int> InterceptedPorts { get; }

    /// <summary>What the sidecar wants the developer to know about the session (the pod's default filter applied), or null.</summary>
    public string? Notice { get; }

    /// <summary>A notice the sidecar sent while the session runs (<see cref="NoticeMessage"/>).</summary>
    public event Action<string>? Noticed;

    /// <summary>What the session does with each intercepted port, as the sidecar said (<see cref="RegisteredMessage.PortStates"/>).</summary>
    public IReadOnlyList<string> PortStates { get; }

    /// <summary>The last measured round trip of a ping on the control connection.</summary>
    public TimeSpan? RoundTrip { get; private set; }

    /// <summary>Completes, with the reason, when the control connection ends for any reason.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>The code of the error the sidecar ended the session with (<see cref="SessionErrorCodes"/>), if it did.</summary>
    public string? EndCode { get; private set; }

    private string Secret { get; }

    /// <summary>Registers a session described by a bare <c>feature.network.incoming</c> JSON value.</summary>
    /// <exception cref="SessionRejectedException">The sidecar refused the session (bad config, conflict, version).</exception>
    public static Task<SessionClient> RegisterAsync(
        SessionDialer dial, string name, string incomingJson, Action onNeedTunnel, CancellationToken cancellationToken)
        => RegisterAsync(dial, name, incomingJson, onNeedTunnel, TimeProvider.System, cancellationToken);

    /// <summary>Registers a session whose pings and silence are timed by <paramref name="time"/>.</summary>
    public static Task<SessionClient> RegisterAsync(
        SessionDialer dial, string name, string incomingJson, Action onNeedTunnel, TimeProvider time, CancellationToken cancellationToken)
        => RegisterAsync(dial, name, null, null, incomingJson, onNeedTunnel, time, cancellationToken);

    /// <summary>Registers a session on behalf of <paramref name="owner"/>, under the session key <paramref name="key"/>.</summary>
    public static async Task<SessionClient> RegisterAsync(
        SessionDialer dial, string name, SessionOwner? owner, string? key, string incomingJson, Action onNeedTunnel, TimeProvider time, CancellationToken cancellationToken)
    {
        var stream = await dial(cancellationToken);
        try
        {
            using var incoming = JsonDocument.Parse(incomingJson);
            using var unanswered = new CancellationTokenSource(SessionTimings.CliRegisterTimeout, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(unanswered.Token, cancellationToken);
            SessionMessage? reply;
            try
            {
                await SessionFrames.WriteAsync(stream, new RegisterMessage(SessionProtocol.Version, name, incoming.RootElement.Clone(), owner, key), either.Token);
                reply = await SessionFrames.ReadAsync(stream, either.Token);
            }
            catch (OperationCanceledException) when (unanswered.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"the sidecar did not answer the registration within {SessionTimings.CliRegisterTimeout.TotalSeconds:0} s");
            }

            var registered = reply switch
            {
                RegisteredMessage ok => ok,
                ErrorMessage error => throw new SessionRejectedException(error.Code, error.Message),
                null => throw new SessionRejectedException(SessionErrorCodes.BadFrame, "the sidecar closed the connection without answering"),
                _ => throw new SessionRejectedException(SessionErrorCodes.BadFrame, $"unexpected reply {reply.GetType().Name}"),
            };

            var client = new SessionClient(dial, stream, registered, onNeedTunnel, time);
            client._loops = Task.WhenAll(client.PingLoopAsync(), client.ClaimLoopAsync(), client.ReadLoopAsync());
            return client;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Lists the sessions registered on a sidecar.</summary>
    public static async Task<IReadOnlyList<SessionSummary>> ListAsync(SessionDialer dial, CancellationToken cancellationToken)
    {
        await using var stream = await dial(cancellationToken);
        await SessionFrames.WriteAsync(stream, new ListMessage(), cancellationToken);
        return await SessionFrames.ReadAsync(stream, cancellationToken) switch
        {
            SessionsMessage sessions => sessions.Sessions,
            ErrorMessage error => throw new SessionRejectedException(error.Code, error.Message),
            var other => throw new SessionRejectedException(SessionErrorCodes.BadFrame, $"unexpected reply {other?.GetType().Name ?? "(closed)"}"),
        };
    }

    /// <summary>Ends one session of the pod over the session port, which takes the session's own <paramref name="secret"/>; returns the ids ended.</summary>
    public static async Task<IReadOnlyList<string>> KillAsync(SessionDialer dial, string? sessionId, SessionOwner by, CancellationToken cancellationToken, string? secret = null)
    {
        await using var stream = await dial(cancellationToken);
        await SessionFrames.WriteAsync(stream, new KillMessage(sessionId, by, secret), cancellationToken);
        return await SessionFrames.ReadAsync(stream, cancellationToken) switch
        {
            KilledMessage killed => killed.SessionIds,
            ErrorMessage error => throw new SessionRejectedException(error.Code, error.Message),
            var other => throw new SessionRejectedException(SessionErrorCodes.BadFrame, $"unexpected reply {other?.GetType().Name ?? "(closed)"}"),
        };
    }

    /// <summary>Dials a new tunnel connection; the returned stream carries HTTP/2 with the sidecar as client.</summary>
    public async Task<Stream> AttachAsync(CancellationToken cancellationToken)
        => (await OpenAsync<AttachedMessage>(new AttachMessage(SessionId, Secret), cancellationToken)).Stream;

    /// <summary>
    /// Opens a TCP connection from the pod to <paramref name="host"/>:<paramref name="port"/> (the name resolved as the pod
    /// resolves it); the returned stream carries that connection's bytes and closes when the session ends.
    /// </summary>
    /// <exception cref="SessionRejectedException">The sidecar refused (policy) or could not connect (<c>outgoing-failed</c>), with its reason.</exception>
    public async Task<(Stream Stream, string RemoteAddress)> OpenOutgoingAsync(string host, int port, CancellationToken cancellationToken)
    {
        var (stream, opened) = await OpenAsync<OutgoingOpenedMessage>(new OutgoingMessage(SessionId, Secret, host, port), cancellationToken);
        return (stream, opened.RemoteAddress);
    }

    /// <summary>Dials a connection of this session's, sends <paramref name="request"/> and expects <typeparamref name="TReply"/>; the stream then carries what the reply opened.</summary>
    private async Task<(Stream Stream, TReply Reply)> OpenAsync<TReply>(SessionMessage request, CancellationToken cancellationToken)
        where TReply : SessionMessage
    {
        var stream = await _dial(cancellationToken);
        try
        {
            await SessionFrames.WriteAsync(stream, request, cancellationToken);
            return await SessionFrames.ReadAsync(stream, cancellationToken) switch
            {
                TReply reply => (stream, reply),
                ErrorMessage error => throw new SessionRejectedException(error.Code, error.Message),
                var other => throw new SessionRejectedException(SessionErrorCodes.BadFrame, $"unexpected reply {other?.GetType().Name ?? "(closed)"}"),
            };
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Asks the sidecar whether stolen request <paramref name="requestId"/> may be delivered. False
    /// when the sidecar has answered its caller already (the session ended, its tunnel broke) or can
    /// no longer be asked: such a request must never reach the developer's process, since the
    /// caller may retry it elsewhere.
    /// </summary>
    public async Task<bool> ClaimAsync(long requestId, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_ended.Task.IsCompleted || !_claims.TryAdd(requestId, answer))
        {
            return false;
        }

        try
        {
            _claimQueue.Writer.TryWrite(requestId);
            if (_ended.Task.IsCompleted)
            {
                // The session ended while the claim was on its way: nobody will answer it.
                answer.TrySetResult(false);
            }

            return await answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _claims.TryRemove(requestId, out _);
        }
    }

    /// <summary>Ends the session on the sidecar (its traffic returns to the container) and closes the control connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            try
            {
                await SendAsync(new UnregisterMessage(), CancellationToken.None).WaitAsync(s_goodbyeTimeout, _time);

                // The sidecar closes the control connection once the session is out of its registry:
                // from then on the pod's traffic is the container's again, which is what the caller reports.
                await _ended.Task.WaitAsync(s_goodbyeTimeout, _time);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException or OperationCanceledException)
            {
                // The sidecar is gone already; closing the connection is all that is left to do.
            }

            await _stopping.CancelAsync();
        }

        await _control.DisposeAsync();
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _ended.TrySetResult("unregistered");
        _silenceTimer.Dispose();
        _pingTimer.Dispose();
        _writeLock.Dispose();
        _stopping.Dispose();
    }

    private async Task SendAsync(SessionMessage message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await SessionFrames.WriteAsync(_control, message, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task PingLoopAsync()
    {
        try
        {
            do
            {
                Interlocked.Exchange(ref _pingSentAt, _time.GetTimestamp());
                await SendAsync(new PingMessage(), _stopping.Token);
            }
            while (await _pingTimer.WaitForNextTickAsync(_stopping.Token));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            _ended.TrySetResult($"the control connection failed: {ex.Message}");
        }
    }

    /// <summary>Sends the claims waiting at that moment in one frame, then the next ones.</summary>
    private async Task ClaimLoopAsync()
    {
        var batch = new List<long>();
        try
        {
            while (await _claimQueue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < MaxClaimsPerFrame && _claimQueue.Reader.TryRead(out var id))
                {
                    batch.Add(id);
                }

                await SendAsync(new ClaimMessage([.. batch]), _stopping.Token);
                batch.Clear();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Unsent claims can never be granted: the read loop ends and refuses every claim still waiting.
            _ended.TrySetResult($"the control connection failed: {ex.Message}");
            await _stopping.CancelAsync();
        }
    }

    private async Task<SessionMessage?> ReadOrSilenceAsync(CancellationToken reading)
    {
        try
        {
            var message = await SessionFrames.ReadAsync(_control, reading);
            _silenceTimer.Change(SilenceTimeout, Timeout.InfiniteTimeSpan);
            return message;
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            throw new IOException($"no word from the sidecar for {SilenceTimeout.TotalSeconds:0} s; the port-forward stalled");
        }
    }

    private void Answer(IReadOnlyList<long> requestIds, bool granted)
    {
        foreach (var id in requestIds)
        {
            if (_claims.TryGetValue(id, out var waiting))
            {
                waiting.TrySetResult(granted);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, _silence.Token);
            while (await ReadOrSilenceAsync(reading.Token) is { } message)
            {
                switch (message)
                {
                    case PongMessage:
                        RoundTrip = _time.GetElapsedTime(Interlocked.Read(ref _pingSentAt));
                        break;
                    case PingMessage:
                        await SendAsync(new PongMessage(), _stopping.Token);
                        break;
                    case NeedTunnelMessage:
                        _onNeedTunnel();
                        break;
                    case ClaimedMessage { Granted: not null, Refused: not null } claimed:
                        Answer(claimed.Granted, granted: true);
                        Answer(claimed.Refused, granted: false);
                        break;
                    case NoticeMessage notice:
                        Noticed?.Invoke(notice.Message);
                        break;
                    case ErrorMessage error:
                        EndCode = error.Code;
                        _ended.TrySetResult($"the sidecar ended the session: {error.Message}");
                        return;
                }
            }

            _ended.TrySetResult("the sidecar closed the control connection");
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
            _ended.TrySetResult($"the control connection failed: {ex.Message}");
        }
        finally
        {
            await _stopping.CancelAsync();
            foreach (var waiting in _claims.Values)
            {
                waiting.TrySetResult(false);
            }
        }
    }
}
