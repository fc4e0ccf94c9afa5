namespace Mirrord.Incoming.Configuration;

/// <summary><c>feature.network.incoming.on_concurrent_steal</c>: what a new session does when another already steals the same traffic.</summary>
public enum ConcurrentStealPolicy
{
    /// <summary>Refuse to start the new session (mirrord's default).</summary>
    Abort,

    /// <summary>Start anyway; the session registered first keeps the overlapping requests.</summary>
    Continue,

    /// <summary>Start and take the overlapping requests from the sessions already there.</summary>
    Override,
}
