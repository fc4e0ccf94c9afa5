using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// Bytes written to a socket exactly as given, for requests no well-behaved client would send
/// (malformed lines, conflicting framing, trickled headers), and what came back until the server
/// closed the connection or went quiet.
/// </summary>
public static class RawHttpExchange
{
    /// <summary>Sends <paramref name="request"/> and reads the answer until the server closes or stays silent for <paramref name="quiet"/>.</summary>
    public static async Task<RawHttpAnswer> SendAsync(int port, string request, TimeSpan? quiet = null)
    {
        using var socket = await ConnectAsync(port);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        return await ReadAnswerAsync(socket, quiet ?? TimeSpan.FromSeconds(2));
    }

    /// <summary>Sends <paramref name="parts"/> one by one with <paramref name="pause"/> between them, stopping when the server closes.</summary>
    public static async Task<RawHttpAnswer> TrickleAsync(int port, IEnumerable<string> parts, TimeSpan pause, TimeSpan quiet)
    {
        using var socket = await ConnectAsync(port);
        var sent = 0;
        foreach (var part in parts)
        {
            try
            {
                await socket.SendAsync(Encoding.Latin1.GetBytes(part));
                sent++;
            }
            catch (SocketException)
            {
                break;
            }

            await Task.Delay(pause);
            if (socket.Poll(0, SelectMode.SelectRead))
            {
                break;
            }
        }

        var answer = await ReadAnswerAsync(socket, quiet);
        return answer with { PartsSent = sent };
    }

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    private static async Task<RawHttpAnswer> ReadAnswerAsync(Socket socket, TimeSpan quiet)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var silence = new CancellationTokenSource(quiet);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, silence.Token);
            }
            catch (OperationCanceledException)
            {
                return new RawHttpAnswer(Encoding.Latin1.GetString(received.ToArray()), Closed: false);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0)
            {
                return new RawHttpAnswer(Encoding.Latin1.GetString(received.ToArray()), Closed: true);
            }

            received.Write(buffer, 0, read);
        }
    }
}

/// <param name="Text">Everything the server sent, Latin-1.</param>
/// <param name="Closed">Whether the server closed the connection (rather than going quiet).</param>
/// <param name="PartsSent">For a trickled request: how many parts were written before the server closed.</param>
public sealed record RawHttpAnswer(string Text, bool Closed, int PartsSent = 0)
{
    /// <summary>The status code of the first response, or 0 when none came.</summary>
    public int FirstStatus => StatusCodes is [var first, ..] ? first : 0;

    /// <summary>The status codes of every response in the answer, in order.</summary>
    public IReadOnlyList<int> StatusCodes => [.. Text.Split("\r\n")
        .Where(line => line.StartsWith("HTTP/1.", StringComparison.Ordinal))
        .Select(line => int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))];
}
