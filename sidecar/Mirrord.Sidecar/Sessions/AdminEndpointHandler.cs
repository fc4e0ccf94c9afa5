using Microsoft.AspNetCore.Connections;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The administration socket: a Unix socket in a volume only the sidecar's container mounts
/// (<see cref="Tunnel.SidecarEnvironment.AdminSocket"/>), so only a process in that container reaches
/// it, which from outside means <c>kubectl exec</c> (pods/exec, audited by the API server). It ends any
/// session, or all of them, and lists them; <c>mirrord-sidecar sessions kill</c> is its client.
/// </summary>
internal sealed partial class AdminEndpointHandler(SessionRegistry registry, ILogger<AdminEndpointHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        await using var stream = new DuplexPipeStream(connection.Transport);
        SessionMessage reply;
        try
        {
            reply = await SessionFrames.ReadAsync(stream, connection.ConnectionClosed) switch
            {
                KillMessage kill => Kill(kill),
                ListMessage => new SessionsMessage([.. registry.Sessions.Select(s => s.Summary())]),
                var other => new ErrorMessage(SessionErrorCodes.BadFrame, $"the administration socket serves kill and list, not {other?.GetType().Name ?? "nothing"}"),
            };
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or OperationCanceledException)
        {
            return;
        }

        try
        {
            await SessionFrames.WriteAsync(stream, reply, CancellationToken.None);
        }
        catch (IOException)
        {
            // The command went away before the answer: nothing to tell.
        }
    }

    private SessionMessage Kill(KillMessage kill)
    {
        if (registry.Kill(kill.SessionId, kill.By.ToString()) is not { } ended)
        {
            return new ErrorMessage(SessionErrorCodes.UnknownSession, $"no session {kill.SessionId} on this pod");
        }

        Log.SessionsKilled(logger, ended.Count, kill.By.ToString());
        return new KilledMessage(ended);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.SessionsKilled, EventName = "SessionsKilled", Level = LogLevel.Information,
            Message = "An administrator ended {Count} session(s) through the administration socket: {By}")]
        public static partial void SessionsKilled(ILogger logger, int count, string by);
    }
}
