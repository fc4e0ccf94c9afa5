using System.Net.Sockets;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Client;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Cli.Local;

/// <summary>
/// Holds one session on one sidecar for as long as the developer wants it: registers, keeps
/// tunnels open, re-registers with back-off when the connection is lost, and unregisters on stop
/// so the pod gets its traffic back at once.
/// </summary>
internal static class SessionRunner
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(
        IncomingConfig config, string name, string pod, SessionDialer dial, LocalServer server, Reporter reporter, CancellationToken cancellationToken,
        bool failFast = true, SessionOwner? owner = null, Action<string, string>? recordEvent = null)
    {
        var incoming = IncomingConfigWriter.WriteIncoming(config);
        var backoff = TimeSpan.FromSeconds(1);
        var everRegistered = false;
        while (true)
        {
            TunnelDialer? dialer = null;
            SessionClient session;
            try
            {
                session = await SessionClient.RegisterAsync(dial, name, owner, incoming, () => dialer?.AddConnection(), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
            catch (SessionRejectedException ex) when (ex.Code == SessionErrorCodes.Policy)
            {
                reporter.Warning($"pod {pod} refused the session: {ex.Message}");
                return ExitCodes.PolicyRefused;
            }
            catch (SessionRejectedException ex) when (ex.Code != SessionErrorCodes.BadFrame)
            {
                reporter.Warning($"pod {pod} refused the session ({ex.Code}): {ex.Message}");
                return ExitCodes.SessionRefused;
            }
            catch (Exception ex) when (ex is IOException or SocketException or SessionRejectedException or InvalidDataException)
            {
                if (!everRegistered && failFast)
                {
                    reporter.Warning($"cannot reach the sidecar of pod {pod}: {ex.Message}");
                    return ExitCodes.SidecarUnreachable;
                }

                reporter.Warning($"still cannot reach pod {pod} ({ex.Message}); retrying in {backoff.TotalSeconds:0} s");
                if (!await DelayAsync(backoff, cancellationToken))
                {
                    return ExitCodes.Success;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                continue;
            }

            everRegistered = true;
            backoff = TimeSpan.FromSeconds(1);
            dialer = server.Connections.Start(pod, session, cancellationToken);
            reporter.Progress(
                $"session {session.SessionId} registered on pod {pod} (sidecar {session.SidecarVersion}, ports {string.Join(", ", session.InterceptedPorts)}): " +
                $"{config.Mode.ToString().ToLowerInvariant()}, {config.HttpFilter?.Rule.Describe() ?? "no filter"}");
            foreach (var state in session.PortStates)
            {
                reporter.Progress($"  pod {pod} {state}");
            }

            if (session.Notice is { } notice)
            {
                reporter.Warning($"pod {pod}: {notice}");
            }

            session.Noticed += later => reporter.Warning($"pod {pod}: {later}");

            recordEvent?.Invoke("MirrordSessionStarted", $"mirrord session {session.SessionId} ({name}) started: {config.Mode.ToString().ToLowerInvariant()}, {config.HttpFilter?.Rule.Describe() ?? "no filter"}; owner {owner?.ToString() ?? "(not declared)"}");

            await Task.WhenAny(session.Ended, dialer.Dialing, Task.Delay(Timeout.Infinite, cancellationToken));
            dialer.Stop();
            if (dialer.Dialing is { IsFaulted: true } broken)
            {
                // Tunnels can no longer be dialled: end this session (its traffic returns to the pod) and register again.
                reporter.Warning($"pod {pod}: tunnel connections could not be kept open ({broken.Exception?.GetBaseException().Message}); registering again");
                await session.DisposeAsync();
                if (!await DelayAsync(backoff, cancellationToken))
                {
                    return ExitCodes.Success;
                }

                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                await session.DisposeAsync();
                reporter.Progress($"session {session.SessionId} ended on pod {pod}: its traffic goes to the pod again");
                recordEvent?.Invoke("MirrordSessionEnded", $"mirrord session {session.SessionId} ({name}) ended by its developer");
                return ExitCodes.Success;
            }

            var reason = await session.Ended;
            await session.DisposeAsync();
            if (session.EndCode is SessionErrorCodes.Policy or SessionErrorCodes.Killed)
            {
                // Ended by the pod's policy or an administrator: registering again would defeat the point.
                reporter.Warning($"pod {pod}: {reason}");
                recordEvent?.Invoke("MirrordSessionEnded", $"mirrord session {session.SessionId} ({name}) ended: {reason}");
                return session.EndCode == SessionErrorCodes.Policy ? ExitCodes.PolicyRefused : ExitCodes.EndedByAdministrator;
            }

            reporter.Warning($"lost the session on pod {pod} ({reason}); reconnecting in {backoff.TotalSeconds:0} s");
            if (!await DelayAsync(backoff, cancellationToken))
            {
                return ExitCodes.Success;
            }
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
