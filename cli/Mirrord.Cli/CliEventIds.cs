namespace Mirrord.Cli;

/// <summary>Log event IDs of mirrord-cli (3xxx); each has an EventName and is never reused.</summary>
internal static class CliEventIds
{
    public const int TunnelAttachFailed = 3001;
    public const int LocalAppUnreachable = 3002;
}
