using System.Net;

namespace Mirrord.Cli.Local;

/// <summary>The endpoint the CLI's Kestrel "listens" on: its connections are tunnel connections this process dialled.</summary>
internal sealed class TunnelEndPoint : EndPoint
{
    public static TunnelEndPoint Instance { get; } = new();

    public override string ToString() => "mirrord-tunnel";
}
