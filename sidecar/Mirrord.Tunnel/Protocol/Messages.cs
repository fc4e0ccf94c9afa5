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
/// The CLI asks to deliver stolen request <paramref name="RequestId"/> (its <c>mirrord-request-id</c>)
/// to the developer's process, which it does only once the sidecar grants it.
/// </summary>
public sealed record ClaimMessage(long RequestId) : SessionMessage;

/// <summary>
/// The sidecar's answer to a claim: granted while it is still waiting for that request's answer;
/// refused once it has answered the caller itself (the request must then never be delivered).
/// </summary>
public sealed record ClaimedMessage(long RequestId, bool Granted) : SessionMessage;

/// <summary>What <c>list</c> tells about a session: never its secret.</summary>
public sealed record SessionSummary(
    string SessionId, string Name, JsonElement Incoming, DateTimeOffset StartedAt, long Stolen, long Mirrored, int Tunnels);
