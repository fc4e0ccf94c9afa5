namespace Mirrord.Incoming.Guardrails;

/// <summary>What a session does with a pod's traffic, as a policy names it.</summary>
public enum SessionKind
{
    /// <summary>Steals, with an HTTP filter on every port it takes (<c>steal</c>).</summary>
    Steal,

    /// <summary>Steals some port whole, without a filter (<c>steal-unfiltered</c>).</summary>
    StealUnfiltered,

    /// <summary>Only receives copies (<c>mirror</c>).</summary>
    Mirror,
}
