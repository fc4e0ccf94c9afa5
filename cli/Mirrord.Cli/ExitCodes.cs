namespace Mirrord.Cli;

/// <summary>The process exit codes of mirrord-cli; scripts may rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (for filter-check: whatever the decision).</summary>
    public const int Success = 0;

    /// <summary>A flag or argument is missing or malformed (System.CommandLine's own code for parse errors).</summary>
    public const int UsageError = 1;

    /// <summary>The config file is missing, unreadable or invalid.</summary>
    public const int ConfigInvalid = 2;

    /// <summary>The sidecar could not be reached, or the connection to it was lost for good.</summary>
    public const int SidecarUnreachable = 3;

    /// <summary>The sidecar refused the session (an overlapping session, another protocol version).</summary>
    public const int SessionRefused = 4;

    /// <summary>The target (or its namespace) does not exist, or it has no ready pods.</summary>
    public const int TargetNotFound = 5;

    /// <summary>The target's pods carry no mirrord sidecar: the namespace or pod has not opted in.</summary>
    public const int NotInjected = 6;

    /// <summary>No usable kubeconfig, or the API server cannot be reached or refuses the request (a missing port-forward permission included).</summary>
    public const int KubernetesUnavailable = 7;

    /// <summary>The local command after <c>--</c> could not be started. Once it runs, connect exits with its code.</summary>
    public const int LocalCommandNotStarted = 8;

    /// <summary>The pod's session policy refused the session, or ended it (its maximum lifetime); the message names the rule.</summary>
    public const int PolicyRefused = 9;

    /// <summary>An administrator ended the session (<c>mirrord-cli sessions kill</c>).</summary>
    public const int EndedByAdministrator = 10;
}
