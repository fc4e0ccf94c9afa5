namespace Mirrord.Incoming.Policy;

/// <summary>What a session does with a request or connection.</summary>
public enum TrafficAction
{
    /// <summary>Not this session's: the container answers and the laptop sees nothing.</summary>
    Pass,

    /// <summary>The laptop answers; the container never sees it.</summary>
    Steal,

    /// <summary>The container answers; the laptop gets a copy.</summary>
    Mirror,
}
