namespace Mirrord.Tunnel;

/// <summary>Values of <see cref="TunnelHeaders.Error"/>; each names why a request got a 502/504 instead of an answer.</summary>
public static class TunnelErrors
{
    /// <summary>The session has no working tunnel connection (the laptop went away, or the port-forward broke).</summary>
    public const string TunnelUnavailable = "tunnel-unavailable";

    /// <summary>The session ended while the request was in flight.</summary>
    public const string SessionEnded = "session-ended";

    /// <summary>The CLI could not reach the developer's local process.</summary>
    public const string LocalAppUnreachable = "local-app-unreachable";

    /// <summary>The session already has as many stolen requests in flight as it allows.</summary>
    public const string SessionBusy = "session-busy";
}
