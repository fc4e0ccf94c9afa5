namespace Mirrord.Tunnel;

/// <summary>Values of <see cref="TunnelHeaders.Error"/>; each names why a request got a 502/504 instead of an answer.</summary>
public static class TunnelErrors
{
    /// <summary>The session has no working tunnel connection (the laptop went away, or the port-forward broke); the request was not delivered.</summary>
    public const string TunnelUnavailable = "tunnel-unavailable";

    /// <summary>The session ended while the request was in flight, before its CLI claimed it: it was not delivered, and never will be.</summary>
    public const string SessionEnded = "session-ended";

    /// <summary>
    /// The path to the laptop broke after the CLI had claimed the request: the developer's process
    /// may have received it. A caller that retries should know its first attempt may have had effects.
    /// </summary>
    public const string DeliveryInterrupted = "delivery-interrupted";

    /// <summary>The CLI could not reach the developer's local process.</summary>
    public const string LocalAppUnreachable = "local-app-unreachable";

    /// <summary>The session already has as many stolen requests in flight as it allows.</summary>
    public const string SessionBusy = "session-busy";
}
