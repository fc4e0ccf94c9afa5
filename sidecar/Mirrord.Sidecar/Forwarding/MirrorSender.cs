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
    private readonly ILogger<MirrorSender> _logger;

    public MirrorSender(SidecarMetrics metrics, ILogger<MirrorSender> logger)
    {
        _metrics = metrics;
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
        try
        {
            using var request = copy.ToRequest(session.DestinationPrefix);
            using var response = await session.Invoker.SendAsync(request, session.Ending);
            await response.Content.CopyToAsync(Stream.Null, session.Ending);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.MirrorCopyFailed(_logger, session.Name, ex.Message);
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
