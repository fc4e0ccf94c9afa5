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

    // A lost session is usually a sidecar restarting: it listens again well under a second after the kubelet
    // starts it (docs/BENCHMARKS.md, section 6), and until the session is back the developer's requests go to
    // the app. So for the first seconds the CLI tries every quarter second, then backs off; each try is one
    // port-forward through the API server.
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_quickRetries = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(
        IncomingConfig config, string name, string pod, SessionDialer dial, LocalServer server, Reporter reporter, CancellationToken cancellationToken,
        bool failFast = true, SessionOwner? owner = null, Action<string, string>? recordEvent = null, Outgoing.PodConnections? outgoing = null, string? key = null)
    {
        var incoming = IncomingConfigWriter.WriteIncoming(config);
        var backoff = s_firstBackoff;
        var everRegistered = false;
        var quickUntil = DateTime.UtcNow + s_quickRetries;
        var toldQuick = false;
        while (true)
        {
            TunnelDialer? dialer = null;
            SessionClient session;
            try
            {
                session = await SessionClient.RegisterAsync(dial, name, owner, key, incoming, () => dialer?.AddConnection(), TimeProvider.System, cancellationToken);
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

                var quick = DateTime.UtcNow < quickUntil;
                if (!quick || !toldQuick)
                {
                    reporter.Warning($"still cannot reach pod {pod} ({ex.Message}); retrying {(quick ? $"every {Seconds(backoff)} for a few seconds" : $"in {Seconds(backoff)}")}");
                    toldQuick |= quick;
                }

                if (!await DelayAsync(backoff, cancellationToken))
                {
                    return ExitCodes.Success;
                }

                backoff = DateTime.UtcNow < quickUntil ? s_firstBackoff : TimeSpan.FromTicks(Math.Min(Math.Max(backoff.Ticks * 2, TimeSpan.TicksPerSecond), s_maxBackoff.Ticks));
                continue;
            }

            everRegistered = true;
            backoff = s_firstBackoff;
            toldQuick = false;
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

            outgoing?.Add(pod, session);
            await Task.WhenAny(session.Ended, dialer.Dialing, Task.Delay(Timeout.Infinite, cancellationToken));
            outgoing?.Remove(session);
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

            quickUntil = DateTime.UtcNow + s_quickRetries;
            reporter.Warning($"lost the session on pod {pod} ({reason}); reconnecting in {Seconds(backoff)}");
            if (!await DelayAsync(backoff, cancellationToken))
            {
                return ExitCodes.Success;
            }
        }
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} s";

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
