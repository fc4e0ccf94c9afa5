namespace Mirrord.Incoming.Configuration;

/// <summary><c>feature.network.incoming.mode</c>.</summary>
public enum IncomingMode
{
    /// <summary>The session takes nothing; the pod's container answers everything.</summary>
    Off,

    /// <summary>The container answers; the developer's process gets a copy (mirrord's default).</summary>
    Mirror,

    /// <summary>The developer's process answers; the container never sees the request.</summary>
    Steal,
}
