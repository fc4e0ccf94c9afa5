using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Local;

/// <summary><c>--sidecar-address host:port</c>: plain TCP to a session endpoint, skipping Kubernetes.</summary>
internal static class DirectDialer
{
    public static bool TryParse(string address, [NotNullWhen(true)] out SessionDialer? dialer)
    {
        var colon = address.LastIndexOf(':');
        var host = colon > 0 ? address[..colon].Trim('[', ']') : string.Empty;
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            dialer = null;
            return false;
        }

        dialer = async cancellationToken =>
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(host, port, cancellationToken);
                return client.GetStream();
            }
            catch
            {
                client.Dispose();
                throw;
            }
        };
        return true;
    }
}
