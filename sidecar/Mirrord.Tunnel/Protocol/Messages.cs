using System.Text.Json;

namespace Mirrord.Tunnel.Protocol;

/// <summary>Opens a session. <paramref name="Incoming"/> is the bare <c>feature.network.incoming</c> value.</summary>
public sealed record RegisterMessage(int ProtocolVersion, string Name, JsonElement Incoming) : SessionMessage;

public sealed record RegisteredMessage(string SessionId, string Secret, string SidecarVersion, IReadOnlyList<int> InterceptedPorts) : SessionMessage;

public sealed record AttachMessage(string SessionId, string Secret) : SessionMessage;

public sealed record AttachedMessage : SessionMessage;

public sealed record ListMessage : SessionMessage;

public sealed record SessionsMessage(IReadOnlyList<SessionSummary> Sessions) : SessionMessage;

public sealed record PingMessage : SessionMessage;

public sealed record PongMessage : SessionMessage;

public sealed record NeedTunnelMessage : SessionMessage;

public sealed record UnregisterMessage : SessionMessage;

public sealed record ErrorMessage(string Code, string Message) : SessionMessage;

/// <summary>What <c>list</c> tells about a session: never its secret.</summary>
public sealed record SessionSummary(
    string SessionId, string Name, JsonElement Incoming, DateTimeOffset StartedAt, long Stolen, long Mirrored, int Tunnels);
