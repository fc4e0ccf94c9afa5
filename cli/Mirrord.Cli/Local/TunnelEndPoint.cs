using System.Net;
using System.Net.Sockets;

namespace Mirrord.Cli.Local;

/// <summary>The endpoint the CLI's Kestrel "listens" on: its connections are tunnel connections this process dialled.</summary>
internal sealed class TunnelEndPoint : EndPoint
{
    public static TunnelEndPoint Instance { get; } = new();

    /// <summary>
    /// Kestrel's connection metrics tag an endpoint of a kind it does not know with its address
    /// family; EndPoint's own getter throws, which would abort every tunnel connection while
    /// anything in the process listens to Kestrel's meter.
    /// </summary>
    public override AddressFamily AddressFamily => AddressFamily.Unspecified;

    public override string ToString() => "mirrord-tunnel";
}
