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

    /// <summary>The original port, or null when the connection was not redirected (or this is not Linux). Allocates nothing.</summary>
    public static int? TryGetPort(ConnectionContext connection)
    {
        Span<byte> address = stackalloc byte[28];
        return connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && Read(socket, address) > 0
            ? BinaryPrimitives.ReadUInt16BigEndian(address[2..4])
            : null;
    }

    /// <summary>The original address and port, or null when the connection was not redirected (or this is not Linux).</summary>
    public static IPEndPoint? TryGet(Socket socket)
    {
        Span<byte> address = stackalloc byte[28];
        var length = Read(socket, address);
        var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..4]);
        return length switch
        {
            0 => null,
            < 24 => new IPEndPoint(new IPAddress(address[4..8]), port),
            _ => new IPEndPoint(new IPAddress(address[8..24]), port),
        };
    }

    /// <summary>
    /// Fills <paramref name="address"/> with the original destination: struct sockaddr_in (family,
    /// port in network order, 4-byte address) or sockaddr_in6 (family, port, flow info, 16-byte
    /// address). A dual-stack listener sees IPv4 clients as IPv4-mapped; conntrack answers those at
    /// SOL_IP. Returns the length read, 0 when the connection was not redirected.
    /// </summary>
    private static int Read(Socket socket, Span<byte> address)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        foreach (var level in (ReadOnlySpan<int>)[SolIp, SolIpv6])
        {
            try
            {
                var length = socket.GetRawSocketOption(level, SoOriginalDst, address);
                if (length >= 8)
                {
                    // An IPv4 answer is a sockaddr_in whatever the level; report it as such.
                    return level == SolIp ? Math.Min(length, 16) : length;
                }
            }
            catch (SocketException)
            {
                // Not redirected at this level; try the next, then give up.
            }
        }

        return 0;
    }
}
