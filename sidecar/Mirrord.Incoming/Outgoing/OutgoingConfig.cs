using System.Net;

namespace Mirrord.Incoming.Outgoing;

/// <summary>
/// <c>feature.network.outgoing</c> and <c>feature.network.dns</c> as mirrord reads them (mirrord-config
/// <c>src/feature/network/outgoing.rs</c> and <c>dns.rs</c>, release 3.250): TCP and UDP on by default, DNS from
/// the pod by default, and at most one filter each, either the destinations that go through the pod
/// (<c>remote</c>; the rest stay local) or those that stay local (<c>local</c>; the rest go through the pod).
/// </summary>
public sealed record OutgoingConfig
{
    public static OutgoingConfig Default { get; } = new();

    public bool Tcp { get; init; } = true;

    public bool Udp { get; init; } = true;

    /// <summary>Connections asked for <c>localhost</c> or a loopback address stay on the laptop (mirrord's <c>ignore_localhost</c>); by default they reach the pod's own loopback, as in mirrord.</summary>
    public bool IgnoreLocalhost { get; init; }

    /// <summary>The destinations that go through the pod; null: every one not in <see cref="LocalOnly"/>.</summary>
    public IReadOnlyList<AddressFilter>? Remote { get; init; }

    /// <summary>The destinations that stay on the laptop; null: none but the laptop's own loopback.</summary>
    public IReadOnlyList<AddressFilter>? LocalOnly { get; init; }

    /// <summary>Names are resolved in the pod (its resolv.conf and search path); false: on the laptop.</summary>
    public bool RemoteDns { get; init; } = true;

    /// <summary>The names resolved in the pod; null: every one not in <see cref="LocalDns"/>.</summary>
    public IReadOnlyList<AddressFilter>? RemoteDnsNames { get; init; }

    /// <summary>The names resolved on the laptop; null: none.</summary>
    public IReadOnlyList<AddressFilter>? LocalDns { get; init; }

    /// <summary>Whether a TCP connection to <paramref name="host"/> (a name or an address) port <paramref name="port"/> goes through the pod.</summary>
    public bool ThroughPod(string host, int port)
    {
        if (!Tcp || (IgnoreLocalhost && IsLocalLoopback(host)))
        {
            return false;
        }

        var address = IPAddress.TryParse(host, out var literal) ? literal : null;
        var name = address is null ? host : null;
        if (Remote is { } remote)
        {
            return remote.Any(filter => filter.Matches(AddressProtocol.Tcp, name, address, port));
        }

        return LocalOnly is not { } local || !local.Any(filter => filter.Matches(AddressProtocol.Tcp, name, address, port));
    }

    /// <summary>Whether <paramref name="name"/> is resolved in the pod rather than on the laptop.</summary>
    public bool ResolvesInPod(string name, int port)
    {
        if (!RemoteDns)
        {
            return false;
        }

        if (RemoteDnsNames is { } remote)
        {
            return remote.Any(filter => filter.Matches(AddressProtocol.Any, name, null, port));
        }

        return LocalDns is not { } local || !local.Any(filter => filter.Matches(AddressProtocol.Any, name, null, port));
    }

    private static bool IsLocalLoopback(string host)
        => host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
