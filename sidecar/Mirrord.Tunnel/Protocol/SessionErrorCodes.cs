namespace Mirrord.Tunnel.Protocol;

/// <summary>The <c>code</c> of an <see cref="ErrorMessage"/>.</summary>
public static class SessionErrorCodes
{
    public const string InvalidConfig = "invalid-config";
    public const string Conflict = "conflict";
    public const string Version = "version";
    public const string UnknownSession = "unknown-session";
    public const string BadFrame = "bad-frame";

    /// <summary>The pod's session policy refuses the session, or ends it (its maximum lifetime); the message names the rule.</summary>
    public const string Policy = "policy";

    /// <summary>An administrator ended the session (<c>mirrord-cli sessions kill</c>).</summary>
    public const string Killed = "killed";

    /// <summary>What was asked needs more than a port-forward (ending another developer's session: pods/exec on the sidecar's container).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The sidecar is stopping (the pod is terminating); sent once the session's stolen requests have finished.</summary>
    public const string ShuttingDown = "shutting-down";

    /// <summary>An outgoing connection could not be opened from the pod: the name did not resolve there, or the destination refused or did not answer.</summary>
    public const string OutgoingFailed = "outgoing-failed";
}
