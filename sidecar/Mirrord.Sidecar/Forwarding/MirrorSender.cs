using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Sends mirrored copies in the background. Each session's token bucket caps its copies; a copy
/// over the cap is dropped and counted, so mirroring never slows or fails the real request.
/// </summary>
internal sealed partial class MirrorSender
{
    private readonly SidecarMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ILogger<MirrorSender> _logger;

    public MirrorSender(SidecarMetrics metrics, TimeProvider time, Microsoft.Extensions.Options.IOptions<Hosting.SidecarOptions> options, ILogger<MirrorSender> logger)
    {
        _metrics = metrics;
        _time = time;
        _timeout = options.Value.MirrorCopyTimeout;
        _logger = logger;
    }

    public void Send(MirrorCopy copy, IReadOnlyList<Session> sessions)
    {
        foreach (var session in sessions)
        {
            using var lease = TryAcquire(session);
            if (lease is null)
            {
                // The session ended after this request was routed to it: there is nobody to send the copy to.
                continue;
            }

            if (!lease.IsAcquired)
            {
                session.CountMirrorDropped();
                _metrics.MirrorCopy(sent: false);
                Log.MirrorCopyDropped(_logger, session.Name, "the session's mirror rate limit was reached");
                continue;
            }

            session.CountMirrored();
            _metrics.MirrorCopy(sent: true);
            copy.Retain();
            _ = SendOneAsync(copy, session);
        }
    }

    private static System.Threading.RateLimiting.RateLimitLease? TryAcquire(Session session)
    {
        if (session.HasEnded)
        {
            return null;
        }

        try
        {
            return session.MirrorLimiter.AttemptAcquire();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    public void Drop(IReadOnlyList<Session> sessions, string reason)
    {
        foreach (var session in sessions)
        {
            session.CountMirrorDropped();
            _metrics.MirrorCopy(sent: false);
            Log.MirrorCopyDropped(_logger, session.Name, reason);
        }
    }

    private async Task SendOneAsync(MirrorCopy copy, Session session)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, session.Ending);
        try
        {
            using var request = copy.ToRequest(session.DestinationPrefix);
            using var response = await session.Invoker.SendAsync(request, either.Token);
            await response.Content.CopyToAsync(Stream.Null, either.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.MirrorCopyFailed(_logger, session.Name, ex.Message);
        }
        finally
        {
            copy.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.MirrorCopyFailed, EventName = "MirrorCopyFailed", Level = LogLevel.Debug,
            Message = "A mirrored copy for session {Name} was not delivered: {Reason}")]
        public static partial void MirrorCopyFailed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = SidecarEventIds.MirrorCopyDropped, EventName = "MirrorCopyDropped", Level = LogLevel.Debug,
            Message = "A mirrored copy for session {Name} was dropped: {Reason}")]
        public static partial void MirrorCopyDropped(ILogger logger, string name, string reason);
    }
}
