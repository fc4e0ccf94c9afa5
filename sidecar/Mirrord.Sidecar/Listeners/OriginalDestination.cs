using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// The port a redirected connection was originally sent to, read from the socket with
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
    {
        if (!OperatingSystem.IsLinux() || connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return null;
        }

        // struct sockaddr_in / sockaddr_in6: family (2 bytes), then the port in network byte order.
        // A dual-stack listener sees IPv4 clients as IPv4-mapped; conntrack answers those at SOL_IP.
        Span<byte> address = stackalloc byte[28];
        foreach (var level in (ReadOnlySpan<int>)[SolIp, SolIpv6])
        {
            try
            {
                var length = socket.GetRawSocketOption(level, SoOriginalDst, address);
                if (length >= 4)
                {
                    return BinaryPrimitives.ReadUInt16BigEndian(address[2..4]);
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
