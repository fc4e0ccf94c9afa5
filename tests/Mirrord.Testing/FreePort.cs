using System.Net;
using System.Net.Sockets;

namespace Mirrord.Testing;

/// <summary>Loopback ports for listeners whose port must be known before they start (the sidecar's direct listeners).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
