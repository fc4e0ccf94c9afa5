namespace Mirrord.Tunnel.Protocol;

/// <summary>The <c>code</c> of an <see cref="ErrorMessage"/>.</summary>
public static class SessionErrorCodes
{
    public const string InvalidConfig = "invalid-config";
    public const string Conflict = "conflict";
    public const string Version = "version";
    public const string UnknownSession = "unknown-session";
    public const string BadFrame = "bad-frame";

    /// <summary>The sidecar is stopping (the pod is terminating); sent once the session's stolen requests have finished.</summary>
    public const string ShuttingDown = "shutting-down";
}
