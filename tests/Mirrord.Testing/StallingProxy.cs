using System.Net;
using System.Net.Sockets;

namespace Mirrord.Testing;

/// <summary>
/// A TCP relay to one loopback port that can stall: <see cref="StallOpenConnections"/> stops moving
/// bytes on every connection open at that moment without closing any, as a port-forward does when
/// the API server or the network hangs, or as a CLI does when its process is paused.
/// <see cref="ResumeOpenConnections"/> lets the held bytes go on, as after the pause. Connections
/// made afterwards flow normally.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    // Never disposed: the pumps may still look at its token after the relay is closed.
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(Socket Client, Socket Upstream, TaskCompletionSource Stall)> _connections = [];
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _holdCloses;
    private readonly Task _accepting;
    private int _disposed;

    private StallingProxy(int target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static StallingProxy To(int port) => new(port);

    /// <summary>Every connection open now stops forwarding in both directions and stays open.</summary>
    public void StallOpenConnections()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Stall.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Stalled connections move their held bytes on and flow again, with whatever the other ends did
    /// meanwhile; with <paramref name="passCloses"/> false, an end that closed meanwhile is not
    /// closed on the other side (its last bytes arrive, its close never does), as a port-forward
    /// that is slow to notice.
    /// </summary>
    public void ResumeOpenConnections(bool passCloses = true)
    {
        _holdCloses = !passCloses;
        _resume.TrySetResult();
    }

    /// <summary>Closes the relay and every connection through it at once, as a dropped port-forward does. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            foreach (var (client, upstream, _) in _connections)
            {
                client.Dispose();
                upstream.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Stopped.
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, _stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // Nothing listens behind the relay: the caller sees its connection close.
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_connections)
            {
                _connections.Add((client, upstream, stall));
            }

            _ = PumpAsync(client, upstream, stall.Task);
            _ = PumpAsync(upstream, client, stall.Task);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Task stalled)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (stalled.IsCompleted)
                {
                    // Hold what arrived and read no more: the peer's writes back up, nothing is closed.
                    await _resume.Task.WaitAsync(_stopping.Token);
                }

                if (read == 0)
                {
                    if (!_holdCloses)
                    {
                        to.Shutdown(SocketShutdown.Send);
                    }

                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped, or the other side went away.
        }
    }
}
