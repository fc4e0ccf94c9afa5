using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// Where a redirected connection was originally sent, read from the socket with
/// <c>getsockopt(SOL_IP, SO_ORIGINAL_DST)</c>: one inbound listener serves every intercepted port,
/// and the iptables rules need no per-port target.
/// </summary>
internal static class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;

    /// <summary>The original port, or null when the connection was not redirected (or this is not Linux).</summary>
    public static int? TryGetPort(ConnectionContext connection)
        => connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? TryGet(socket)?.Port : null;

    /// <summary>The original address and port, or null when the connection was not redirected (or this is not Linux).</summary>
    public static IPEndPoint? TryGet(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct sockaddr_in: family (2 bytes), port (2, network order), address (4);
        // struct sockaddr_in6: family, port, flow info (4), address (16).
        // A dual-stack listener sees IPv4 clients as IPv4-mapped; conntrack answers those at SOL_IP.
        Span<byte> address = stackalloc byte[28];
        foreach (var level in (ReadOnlySpan<int>)[SolIp, SolIpv6])
        {
            try
            {
                var length = socket.GetRawSocketOption(level, SoOriginalDst, address);
                if (length >= 8)
                {
                    var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..4]);
                    return level == SolIp || length < 24
                        ? new IPEndPoint(new IPAddress(address[4..8]), port)
                        : new IPEndPoint(new IPAddress(address[8..24]), port);
                }
            }
            catch (SocketException)
            {
                // Not redirected at this level; try the next, then give up.
            }
        }

        return null;
    }
}
