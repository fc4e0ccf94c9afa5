namespace Mirrord.Incoming.Policy;

/// <summary>How much of a container port a session takes.</summary>
public enum PortClaimKind
{
    /// <summary>Nothing: every connection on the port goes to the container.</summary>
    None,

    /// <summary>Whole connections, whatever the protocol (raw TCP is stolen or mirrored too).</summary>
    WholeConnections,

    /// <summary>HTTP requests one at a time, decided by the filter.</summary>
    FilteredRequests,
}
