using System.Text.Json;

namespace Mirrord.Tunnel.Protocol;

/// <summary>Opens a session. <paramref name="Incoming"/> is the bare <c>feature.network.incoming</c> value.</summary>
public sealed record RegisterMessage(int ProtocolVersion, string Name, JsonElement Incoming) : SessionMessage;

/// <summary>The session is in the registry; the secret authorises its tunnel connections.</summary>
/// <param name="SessionId">The session's id, named in <c>attach</c>.</param>
/// <param name="Secret">Proves an <c>attach</c> comes from the registering CLI.</param>
/// <param name="SidecarVersion">The sidecar's version, for the CLI's progress line.</param>
/// <param name="InterceptedPorts">The container ports the sidecar serves.</param>
/// <param name="Notice">Something the developer should know about how the session was set up (the pod's default filter applied), or null.</param>
public sealed record RegisteredMessage(string SessionId, string Secret, string SidecarVersion, IReadOnlyList<int> InterceptedPorts, string? Notice = null) : SessionMessage;

public sealed record AttachMessage(string SessionId, string Secret) : SessionMessage;

public sealed record AttachedMessage : SessionMessage;

public sealed record ListMessage : SessionMessage;

public sealed record SessionsMessage(IReadOnlyList<SessionSummary> Sessions) : SessionMessage;

public sealed record PingMessage : SessionMessage;

public sealed record PongMessage : SessionMessage;

public sealed record NeedTunnelMessage : SessionMessage;

public sealed record UnregisterMessage : SessionMessage;

public sealed record ErrorMessage(string Code, string Message) : SessionMessage;

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
    string SessionId, string Name, JsonElement Incoming, DateTimeOffset StartedAt, long Stolen, long Mirrored, int Tunnels);
