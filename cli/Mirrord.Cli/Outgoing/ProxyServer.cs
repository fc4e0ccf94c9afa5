using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Cli.Outgoing;

/// <summary>
/// The local proxy <c>mirrord-cli exec</c> hands the developer's process (<c>ALL_PROXY</c>, <c>HTTP_PROXY</c>,
/// <c>HTTPS_PROXY</c>): one loopback port that speaks SOCKS5 (RFC 1928, no authentication, CONNECT; names are
/// passed on unresolved, so <c>socks5h://</c> clients get the pod's DNS) and HTTP proxying (CONNECT, and
/// absolute-form requests such as <c>GET http://orders/api</c>), told apart by the first byte.
/// </summary>
internal sealed class ProxyServer : LoopbackListener
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly OutgoingDialer _dialer;
    private readonly Action<string> _warn;

    private ProxyServer(OutgoingDialer dialer, Action<string> warn)
        : base(0)
    {
        _dialer = dialer;
        _warn = warn;
    }

    public static ProxyServer Start(OutgoingDialer dialer, Action<string> warn) => new(dialer, warn);

    protected override async Task ServeAsync(NetworkStream client)
    {
        var first = new byte[1];
        if (await client.ReadAsync(first, Stopping.Token) == 0)
        {
            return;
        }

        if (first[0] == 5)
        {
            await ServeSocksAsync(client);
        }
        else
        {
            await ServeHttpAsync(client, first[0]);
        }
    }

    /// <summary>Opens the destination; when it cannot be, warns, answers the client with <paramref name="refuse"/> and returns null.</summary>
    private async Task<Stream?> OpenAsync(string host, int port, Func<OutgoingRefusedException, Task> refuse)
    {
        try
        {
            return await _dialer.OpenAsync(host, port, Stopping.Token);
        }
        catch (OutgoingRefusedException ex)
        {
            _warn(ex.Message);
            await refuse(ex);
            return null;
        }
    }

    private async Task ServeSocksAsync(NetworkStream client)
    {
        // Greeting: the version byte was read; then the methods offered. Only "no authentication" (0) is served.
        var count = await ReadByteAsync(client);
        var methods = new byte[count];
        await client.ReadExactlyAsync(methods, Stopping.Token);
        if (!methods.Contains((byte)0))
        {
            await client.WriteAsync(new byte[] { 5, 0xFF }, Stopping.Token);
            return;
        }

        await client.WriteAsync(new byte[] { 5, 0 }, Stopping.Token);
        var request = new byte[4];
        await client.ReadExactlyAsync(request, Stopping.Token);
        string host = request[3] switch
        {
            1 => new IPAddress(await ReadBytesAsync(client, 4)).ToString(),
            3 => Encoding.ASCII.GetString(await ReadBytesAsync(client, await ReadByteAsync(client))),
            4 => new IPAddress(await ReadBytesAsync(client, 16)).ToString(),
            _ => string.Empty,
        };
        var port = BinaryPrimitives.ReadUInt16BigEndian(await ReadBytesAsync(client, 2));

        // CONNECT only: UDP ASSOCIATE and BIND are refused as "command not supported" (docs/OUTGOING.md says why).
        if (request[1] != 1 || host.Length == 0)
        {
            await SocksReplyAsync(client, host.Length == 0 ? (byte)8 : (byte)7);
            return;
        }

        var remote = await OpenAsync(host, port, refused => SocksReplyAsync(client, refused.Code == SessionErrorCodes.Policy ? (byte)2 : (byte)4));
        if (remote is null)
        {
            return;
        }

        await using (remote)
        {
            await SocksReplyAsync(client, 0);
            await ByteRelay.RunAsync(client, remote, Stopping.Token);
        }
    }

    private async Task SocksReplyAsync(NetworkStream client, byte code)
        => await client.WriteAsync(new byte[] { 5, code, 0, 1, 0, 0, 0, 0, 0, 0 }, Stopping.Token);

    private async Task ServeHttpAsync(NetworkStream client, byte first)
    {
        var head = new List<byte>(1024) { first };
        var one = new byte[1];
        while (!EndsHead(head))
        {
            if (head.Count >= MaxHeadBytes || await client.ReadAsync(one, Stopping.Token) == 0)
            {
                await AnswerAsync(client, 400, "the request head is too large or incomplete");
                return;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.Latin1.GetString([.. head]).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3)
        {
            await AnswerAsync(client, 400, $"not an HTTP request line: {lines[0]}");
            return;
        }

        var (method, target, version) = (requestLine[0], requestLine[1], requestLine[2]);
        string host;
        int port;
        byte[]? forward = null;
        if (method == "CONNECT")
        {
            if (!TrySplitHostPort(target, 443, out host, out port))
            {
                await AnswerAsync(client, 400, $"CONNECT needs host:port, not {target}");
                return;
            }
        }
        else if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme == "http")
        {
            (host, port) = (uri.IdnHost, uri.Port);

            // The origin sees an ordinary request: origin-form target, no proxy headers, and one request per connection.
            var headers = lines.Skip(1).Where(line => line.Length > 0)
                .Where(line => !line.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
            forward = Encoding.Latin1.GetBytes($"{method} {uri.PathAndQuery} {version}\r\n{string.Join("\r\n", headers)}\r\nConnection: close\r\n\r\n");
        }
        else
        {
            await AnswerAsync(client, 400, $"this is a proxy: send CONNECT host:port or an absolute http:// URL, not {target}");
            return;
        }

        var remote = await OpenAsync(host, port, refused => AnswerAsync(client, refused.Code == SessionErrorCodes.Policy ? 403 : 502, refused.Message));
        if (remote is null)
        {
            return;
        }

        await using (remote)
        {
            if (forward is null)
            {
                await client.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), Stopping.Token);
            }
            else
            {
                await remote.WriteAsync(forward, Stopping.Token);
                await remote.FlushAsync(Stopping.Token);
            }

            await ByteRelay.RunAsync(client, remote, Stopping.Token);
        }
    }

    private static bool EndsHead(List<byte> head)
        => head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private async Task AnswerAsync(NetworkStream client, int status, string message)
    {
        var reason = status switch { 400 => "Bad Request", 403 => "Forbidden", _ => "Bad Gateway" };
        var body = Encoding.UTF8.GetBytes($"mirrord-cli exec: {message}\n");
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n");
        await client.WriteAsync(head, Stopping.Token);
        await client.WriteAsync(body, Stopping.Token);
    }

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> too); <paramref name="defaultPort"/> when no port is given.</summary>
    public static bool TrySplitHostPort(string text, int defaultPort, out string host, out int port)
    {
        port = defaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? text[1..close] : string.Empty;
            var rest = close > 0 ? text[(close + 1)..] : string.Empty;
            return host.Length > 0 && (rest.Length == 0 || (rest[0] == ':' && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535));
        }

        var colon = text.LastIndexOf(':');
        host = colon < 0 ? text : text[..colon];
        return host.Length > 0 && (colon < 0 || (int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535));
    }

    private async Task<byte> ReadByteAsync(NetworkStream client) => (await ReadBytesAsync(client, 1))[0];

    private async Task<byte[]> ReadBytesAsync(NetworkStream client, int count)
    {
        var bytes = new byte[count];
        await client.ReadExactlyAsync(bytes, Stopping.Token);
        return bytes;
    }
}
