using System.Net;
using System.Net.Sockets;

namespace Mirrord.Cli.Outgoing;

/// <summary>A loopback port of <c>exec</c>'s (the proxy, a forward): accepts until disposed and serves each connection on its own.</summary>
internal abstract class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accepting;

    protected LoopbackListener(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Cancelled when the CLI stops: every connection served ends with it.</summary>
    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Serves one accepted connection; a hang-up or the CLI stopping is routine and ends it quietly.</summary>
    protected abstract Task ServeAsync(NetworkStream client);

    private async Task AcceptAsync()
    {
        await Task.Yield();
        while (!Stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(Stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeOneAsync(client);
        }
    }

    private async Task ServeOneAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await ServeAsync(client.GetStream());
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The process hung up, or the CLI is stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}
