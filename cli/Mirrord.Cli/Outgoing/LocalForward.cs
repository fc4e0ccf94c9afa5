using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;

namespace Mirrord.Cli.Outgoing;

/// <summary>
/// <c>-L [local-port:]host:port</c>, mirrord's port-forward form: a loopback port on the laptop whose every
/// connection is opened from the pod to <c>host:port</c>, for clients that ignore proxies (database drivers).
/// Without a local port, the remote port is used.
/// </summary>
internal sealed class LocalForward : LoopbackListener
{
    private readonly OutgoingDialer _dialer;
    private readonly Action<string> _warn;

    private LocalForward(int localPort, string host, int port, OutgoingDialer dialer, Action<string> warn)
        : base(localPort)
    {
        Host = host;
        Port = port;
        _dialer = dialer;
        _warn = warn;
    }

    public string Host { get; }

    public int Port { get; }

    public int LocalPort => EndPoint.Port;

    /// <summary>Reads one <c>-L</c> value; <paramref name="problem"/> names what is wrong with it.</summary>
    public static bool TryParse(string text, out int localPort, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? problem)
    {
        localPort = 0;
        host = null;
        port = 0;
        var rest = text;
        var first = text.IndexOf(':', StringComparison.Ordinal);
        if (first > 0 && int.TryParse(text[..first], NumberStyles.None, CultureInfo.InvariantCulture, out var local) && text.IndexOf(':', first + 1) > 0)
        {
            localPort = local;
            rest = text[(first + 1)..];
        }

        if (!ProxyServer.TrySplitHostPort(rest, 0, out var parsedHost, out port) || port == 0)
        {
            problem = $"-L \"{text}\": expected [local-port:]host:port, such as 5432:postgres:5432";
            return false;
        }

        if (localPort is < 0 or > 65535)
        {
            problem = $"-L \"{text}\": the local port {localPort} is not from 1 to 65535";
            return false;
        }

        host = parsedHost;
        localPort = localPort == 0 ? port : localPort;
        problem = null;
        return true;
    }

    /// <exception cref="SocketException">The local port is taken.</exception>
    public static LocalForward Start(int localPort, string host, int port, OutgoingDialer dialer, Action<string> warn) => new(localPort, host, port, dialer, warn);

    protected override async Task ServeAsync(NetworkStream client)
    {
        try
        {
            await using var remote = await _dialer.OpenAsync(Host, Port, Stopping.Token);
            await ByteRelay.RunAsync(client, remote, Stopping.Token);
        }
        catch (OutgoingRefusedException ex)
        {
            _warn($"-L {LocalPort}:{Host}:{Port}: {ex.Message}");
        }
    }
}
