using System.Text.Json.Serialization;

namespace Mirrord.Tunnel.Protocol;

/// <summary>One frame on the session endpoint. The <c>type</c> member selects the record.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(RegisterMessage), "register")]
[JsonDerivedType(typeof(RegisteredMessage), "registered")]
[JsonDerivedType(typeof(AttachMessage), "attach")]
[JsonDerivedType(typeof(AttachedMessage), "attached")]
[JsonDerivedType(typeof(ListMessage), "list")]
[JsonDerivedType(typeof(SessionsMessage), "sessions")]
[JsonDerivedType(typeof(PingMessage), "ping")]
[JsonDerivedType(typeof(PongMessage), "pong")]
[JsonDerivedType(typeof(NeedTunnelMessage), "need-tunnel")]
[JsonDerivedType(typeof(UnregisterMessage), "unregister")]
[JsonDerivedType(typeof(ErrorMessage), "error")]
[JsonDerivedType(typeof(NoticeMessage), "notice")]
[JsonDerivedType(typeof(ClaimMessage), "claim")]
[JsonDerivedType(typeof(ClaimedMessage), "claimed")]
[JsonDerivedType(typeof(KillMessage), "kill")]
[JsonDerivedType(typeof(KilledMessage), "killed")]
[JsonDerivedType(typeof(OutgoingMessage), "outgoing")]
[JsonDerivedType(typeof(OutgoingOpenedMessage), "outgoing-opened")]
public abstract record SessionMessage;
