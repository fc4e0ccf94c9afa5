using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// A non-HTTP protocol: the server speaks first (a banner naming it, like SMTP or MySQL), then
/// answers each line upper-cased. Stands in for a database port next to the HTTP port.
/// </summary>
public sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _name;

    private TcpEchoServer(string name, IPAddress address, int port)
    {
        _name = name;
        _listener = new TcpListener(address, port);
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpEchoServer Start(string name) => new(name, IPAddress.Loopback, 0);

    public static TcpEchoServer Start(string name, IPAddress address, int port) => new(name, address, port);

    /// <summary>The client side of the protocol over a connected socket: returns the banner and the answer to one line.</summary>
    public static async Task<(string? Banner, string? Answer)> TalkAsync(Socket socket, string line)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        await using var writer = new StreamWriter(stream, System.Text.Encoding.ASCII) { AutoFlush = true, NewLine = "\r\n" };
        var banner = await reader.ReadLineAsync();
        await writer.WriteLineAsync(line);
        return (banner, await reader.ReadLineAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { AutoFlush = true, NewLine = "\r\n" };
                await writer.WriteLineAsync($"HELLO from {_name}");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    await writer.WriteLineAsync(line.ToUpperInvariant());
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
