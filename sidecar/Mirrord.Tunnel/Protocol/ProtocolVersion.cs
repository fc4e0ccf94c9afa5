namespace Mirrord.Tunnel.Protocol;

/// <summary>The session protocol version; a sidecar refuses clients of another version with a clear error.</summary>
public static class SessionProtocol
{
    /// <summary>
    /// 2: stolen requests are claimed before they are delivered (<see cref="ClaimMessage"/>).
    /// 3: tunnel headers are only ever the sidecar's (a caller's are removed), and a whole connection is
    /// marked <c>mirrord-mode: tcp</c>, not told by its path.
    /// 4: sessions open connections from the pod (<see cref="OutgoingMessage"/>).
    /// </summary>
    public const int Version = 4;
}
