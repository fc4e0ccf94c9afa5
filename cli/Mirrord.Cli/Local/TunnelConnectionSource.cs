using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Local;

/// <summary>
/// Keeps tunnel connections open to every session's sidecar and hands them to Kestrel as accepted
/// connections. Each session starts with <see cref="InitialConnections"/>; a <c>need-tunnel</c>
/// from the sidecar adds one, and a connection that closes is replaced while the session lives.
/// Sessions come and go while the server runs (pods join and leave the target).
/// </summary>
internal sealed partial class TunnelConnectionSource
{
    public const int InitialConnections = 2;

    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>();
    private readonly ILogger<TunnelConnectionSource> _logger;

    public TunnelConnectionSource(ILogger<TunnelConnectionSource> logger)
    {
        _logger = logger;
    }

    public ChannelReader<ConnectionContext> Accepted => _accepted.Reader;

    /// <summary>Item key under which an accepted connection names the pod it leads to.</summary>
    public static string PodItemKey => "mirrord.pod";

    /// <summary>Item key under which an accepted connection holds its session, which claims the stolen requests it carries.</summary>
    public static string SessionItemKey => "mirrord.session";

    /// <summary>
    /// Starts keeping connections open for a session; returns the handle its need-tunnel messages go
    /// to. <see cref="TunnelDialer.Dialing"/> ends with the session; the session's runner watches it,
    /// so a loop that stops for a reason of its own ends the session rather than leaving its
    /// stolen requests waiting for tunnels nobody dials.
    /// </summary>
    public TunnelDialer Start(string pod, SessionClient session, CancellationToken stopping)
    {
        var dialer = new TunnelDialer(pod, session, InitialConnections);
        dialer.Dialing = DialLoopAsync(dialer, stopping);
        return dialer;
    }

    private async Task DialLoopAsync(TunnelDialer dialer, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping);

        // Cancelled through a registration that is undone before the source is disposed, not a continuation that may run after.
        var sessionEnded = dialer.Session.Ended;
        var stop = Task.WhenAny(sessionEnded, Task.Delay(Timeout.Infinite, ended.Token));
        try
        {
            while (!sessionEnded.IsCompleted)
            {
                var permit = dialer.Permits.WaitAsync(ended.Token);
                if (await Task.WhenAny(permit, stop) != permit)
                {
                    return;
                }

                await permit;
                try
                {
                    var stream = await dialer.Session.AttachAsync(ended.Token);
                    var connection = new StreamConnectionContext(stream, TunnelEndPoint.Instance);
                    connection.Items[PodItemKey] = dialer.Pod;
                    connection.Items[SessionItemKey] = dialer.Session;
                    _ = connection.Completed.ContinueWith(_ => dialer.Replace(), TaskScheduler.Default);
                    await _accepted.Writer.WriteAsync(connection, ended.Token);
                    backoff = TimeSpan.FromMilliseconds(100);
                }
                catch (Exception ex) when (ex is IOException or SessionRejectedException or System.Net.Sockets.SocketException or InvalidDataException)
                {
                    // Whatever the sidecar or the path said, the session still needs its tunnels: try again.
                    Log.AttachFailed(_logger, dialer.Pod, ex.Message);
                    dialer.Permits.Release();
                    await Task.Delay(backoff, ended.Token);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The CLI is stopping.
        }
        finally
        {
            // Undoes the wait for a permit and the stop watch that are still pending when the session ended.
            await ended.CancelAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = CliEventIds.TunnelAttachFailed, EventName = "TunnelAttachFailed", Level = LogLevel.Warning,
            Message = "Could not open a tunnel connection to pod {Pod}: {Reason}; retrying")]
        public static partial void AttachFailed(ILogger logger, string pod, string reason);
    }
}
