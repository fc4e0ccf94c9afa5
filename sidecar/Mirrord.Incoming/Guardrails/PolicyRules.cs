namespace Mirrord.Incoming.Guardrails;

/// <summary>The names of a policy's rules, as refusals, audit lines and metrics give them.</summary>
public static class PolicyRules
{
    public const string Mode = "allowed-modes";
    public const string HeaderFilter = "required-header-filter";
    public const string MaxSessions = "max-sessions-per-pod";
    public const string MaxLifetime = "max-session-lifetime";
    public const string ProtectedPort = "protected-ports";
    public const string RequiredHeader = "required-header";
    public const string AllowOutgoing = "allow-outgoing";
    public const string OutgoingDestinations = "outgoing-destinations";
}
