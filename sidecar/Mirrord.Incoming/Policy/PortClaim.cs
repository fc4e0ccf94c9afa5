namespace Mirrord.Incoming.Policy;

/// <summary>A session's claim on one container port, with the reason.</summary>
public readonly record struct PortClaim(PortClaimKind Kind, DecisionReason Reason);
