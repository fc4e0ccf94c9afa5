namespace Mirrord.Tunnel.Protocol;

/// <summary>The session protocol version; a sidecar refuses clients of another version with a clear error.</summary>
public static class SessionProtocol
{
    /// <summary>2: stolen requests are claimed before they are delivered (<see cref="ClaimMessage"/>).</summary>
    public const int Version = 2;
}
