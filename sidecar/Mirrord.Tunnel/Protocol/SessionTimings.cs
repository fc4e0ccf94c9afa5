namespace Mirrord.Tunnel.Protocol;

/// <summary>
/// How both ends of a session's control connection tell a live peer from a gone one, in one place
/// so that they cannot drift apart: each end pings, every ping is answered, and silence longer than
/// the other end's ping interval (with room for a slow port-forward) ends the session.
/// </summary>
public static class SessionTimings
{
    /// <summary>The CLI pings the sidecar this often.</summary>
    public static TimeSpan CliPingInterval { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The sidecar ends a session whose control connection is silent this long (three CLI pings);
    /// its traffic goes back to the container. The sidecar's <c>Sidecar:SessionTimeout</c> default.
    /// </summary>
    public static TimeSpan SidecarSessionTimeout { get; } = CliPingInterval * 3;

    /// <summary>The sidecar pings the CLI this often, to measure the round trip (<c>mirrord_tunnel_rtt_seconds</c>).</summary>
    public static TimeSpan SidecarPingInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The CLI treats this long without a frame as a stalled path (a hung port-forward closes
    /// nothing) and registers again. Longer than the sidecar's timeout, so by then the old session
    /// is gone and the new one does not meet it.
    /// </summary>
    public static TimeSpan CliSilenceTimeout { get; } = SidecarSessionTimeout + CliPingInterval;

    /// <summary>
    /// How long the CLI waits for the answer to <c>register</c>: a sidecar that accepted the connection
    /// but never answers (a stalled port-forward, a sidecar killed under it) must not hold the developer's
    /// session away for good; the CLI then tries again. The same as a silent control connection.
    /// </summary>
    public static TimeSpan CliRegisterTimeout { get; } = CliSilenceTimeout;
}
