using System.Text.Json;

namespace Mirrord.Tunnel.Protocol;

/// <summary>
/// Opens a session. <paramref name="Incoming"/> is the bare <c>feature.network.incoming</c> value; <paramref name="Owner"/> who
/// says they are connecting; <paramref name="Key"/> the session key (mirrord's <c>key</c>), which share links carry.
/// </summary>
public sealed record RegisterMessage(int ProtocolVersion, string Name, JsonElement Incoming, SessionOwner? Owner = null, string? Key = null) : SessionMessage;

/// <summary>
/// Who opened a session, as the CLI declares it (nothing here is verified by the sidecar): the
/// kubeconfig user and context, and the local user name. The API server's audit log is what
/// attributes a session for sure: the port-forward and the session's Events are made with the
/// developer's own credentials.
/// </summary>
public sealed record SessionOwner(string? KubeUser, string? Context, string? LocalUser)
{
    public override string ToString()
        => string.Join(", ", new[] { LocalUser is null ? null : $"local user {LocalUser}", KubeUser is null ? null : $"kube user {KubeUser}", Context is null ? null : $"context {Context}" }.OfType<string>()) is { Length: > 0 } text
            ? $"{text} (self-declared)"
            : "(not declared)";
}

/// <summary>
/// Ends one session or every session of the pod. On the session port (a port-forward) it needs the
/// session's own <paramref name="Secret"/>: a developer ends their own session, nobody else's. On the
/// sidecar's administration socket (only reachable inside its container, through pods/exec) it needs none.
/// </summary>
/// <param name="SessionId">The session to end; null ends them all (administration socket only).</param>
/// <param name="By">Who asks, as their CLI declares it; told to the developer and logged.</param>
/// <param name="Secret">The session's secret, on the session port.</param>
public sealed record KillMessage(string? SessionId, SessionOwner By, string? Secret = null) : SessionMessage;

/// <summary>The sessions <see cref="KillMessage"/> ended.</summary>
public sealed record KilledMessage(IReadOnlyList<string> SessionIds) : SessionMessage;

/// <summary>The session is in the registry; the secret authorises its tunnel connections.</summary>
/// <param name="SessionId">The session's id, named in <c>attach</c>.</param>
/// <param name="Secret">Proves an <c>attach</c> comes from the registering CLI.</param>
/// <param name="SidecarVersion">The sidecar's version, for the CLI's progress line.</param>
/// <param name="InterceptedPorts">The container ports the sidecar serves.</param>
/// <param name="Notice">Something the developer should know about how the session was set up (the pod's default filter applied), or null.</param>
/// <param name="PortStates">
/// Per intercepted port, what the session does with it as the sidecar runs it (filtered, taken whole or
/// left alone, why, how to change it, and the pod's probes that still reach the app), one line each.
/// </param>
public sealed record RegisteredMessage(
    string SessionId, string Secret, string SidecarVersion, IReadOnlyList<int> InterceptedPorts, string? Notice = null, IReadOnlyList<string>? PortStates = null) : SessionMessage;

public sealed record AttachMessage(string SessionId, string Secret) : SessionMessage;

public sealed record AttachedMessage : SessionMessage;

public sealed record ListMessage : SessionMessage;

public sealed record SessionsMessage(IReadOnlyList<SessionSummary> Sessions) : SessionMessage;

public sealed record PingMessage : SessionMessage;

public sealed record PongMessage : SessionMessage;

public sealed record NeedTunnelMessage : SessionMessage;

public sealed record UnregisterMessage : SessionMessage;

public sealed record ErrorMessage(string Code, string Message) : SessionMessage;

/// <summary>Something the developer should know that changed while the session runs (a port filtered again); the session goes on.</summary>
public sealed record NoticeMessage(string Message) : SessionMessage;

/// <summary>
/// The CLI asks to deliver stolen requests <paramref name="RequestIds"/> (their <c>mirrord-request-id</c>)
/// to the developer's process, which it does for each only once the sidecar grants it. Claims that
/// wait while another frame is written go together, so a busy session pays one frame for several.
/// </summary>
public sealed record ClaimMessage(IReadOnlyList<long> RequestIds) : SessionMessage;

/// <summary>
/// The sidecar's answer to one <see cref="ClaimMessage"/>: granted are the requests it is still
/// waiting for an answer to; refused, those it has answered the caller for itself, or does not know
/// (they must never be delivered).
/// </summary>
public sealed record ClaimedMessage(IReadOnlyList<long> Granted, IReadOnlyList<long> Refused) : SessionMessage;

/// <summary>What <c>list</c> tells about a session: never its secret.</summary>
public sealed record SessionSummary(
    string SessionId, string Name, JsonElement Incoming, DateTimeOffset StartedAt, long Stolen, long Mirrored, int Tunnels, SessionOwner? Owner = null, string? Key = null);

/// <summary>
/// Opens a TCP connection from the pod for a session (<c>mirrord-cli exec</c>'s outgoing traffic): the sidecar
/// resolves <paramref name="Host"/> as the pod does (its resolv.conf, search path included) and connects from the
/// pod's network. After <see cref="OutgoingOpenedMessage"/> the bytes on this connection are the remote's.
/// </summary>
public sealed record OutgoingMessage(string SessionId, string Secret, string Host, int Port) : SessionMessage;

/// <summary>The connection is open: <paramref name="RemoteAddress"/> is where it went, <paramref name="LocalAddress"/> the pod's end.</summary>
public sealed record OutgoingOpenedMessage(string RemoteAddress, string LocalAddress) : SessionMessage;
