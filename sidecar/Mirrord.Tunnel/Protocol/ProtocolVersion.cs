namespace Mirrord.Tunnel.Protocol;

/// <summary>The session protocol version; a sidecar refuses clients of another major version with a clear error.</summary>
public static class SessionProtocol
{
    public const int Version = 1;
}
