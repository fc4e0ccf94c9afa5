using System.Net;
using System.Net.Sockets;

namespace Mirrord.Testing;

/// <summary>Loopback ports for listeners whose port must be known before they start (the sidecar's direct listeners).</summary>
public static class FreePort
{
    // Below Linux's ephemeral range (32768 and up): a port handed out here cannot meanwhile become the
    // local end of some test's outgoing connection, which made binds fail now and then. Each test
    // process starts at its own offset so parallel test assemblies rarely meet.
    private const int First = 10_000;
    private const int Count = 22_000;
    private static int s_next = Environment.ProcessId * 7919 % Count;

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref s_next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port from {First} to {First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
