namespace Mirrord.Incoming.Configuration;

/// <summary>
/// <c>tls_delivery</c> (mirrord's former name: <c>https_delivery</c>): how the CLI delivers requests that reached the pod
/// over TLS (HTTPS stealing) to the local process, as mirrord does (mirrord-config
/// <c>feature/network/incoming/tls_delivery.rs</c>, release 3.250): over TLS unless <c>protocol</c> is "tcp"; the local
/// server's certificate is trusted by <see cref="ServerCertificate"/> (its chain), else by <see cref="TrustRoots"/>, else
/// whatever it is (it is the developer's own process on their machine). The files are read by the CLI; the sidecar
/// ignores the setting.
/// </summary>
public sealed record TlsDeliveryConfig
{
    /// <summary>mirrord's default, whether <c>tls_delivery</c> is absent or names no protocol: deliver over TLS, trust any certificate.</summary>
    public static TlsDeliveryConfig Default { get; } = new();

    /// <summary><c>protocol</c>: "tls" (true, the default) or "tcp" (false, clear HTTP).</summary>
    public bool Tls { get; init; } = true;

    /// <summary><c>trust_roots</c>: PEM files, or folders of them (not recursed), holding the authorities the local server's certificate must chain to.</summary>
    public IReadOnlyList<string>? TrustRoots { get; init; }

    /// <summary><c>server_name</c>: the SNI and the name checked in the local certificate; see the CLI for the fall-backs.</summary>
    public string? ServerName { get; init; }

    /// <summary><c>server_cert</c>: a PEM file with the certificate chain the local server presents.</summary>
    public string? ServerCertificate { get; init; }

    /// <summary>Whether <paramref name="name"/> can be a TLS server name, as rustls' <c>ServerName</c> takes one: a DNS name or an IP address.</summary>
    public static bool IsValidServerName(string name)
        => Uri.CheckHostName(name) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6;

    /// <summary>The field it was read from, <c>tls_delivery</c> or <c>https_delivery</c>, which messages about its files name.</summary>
    public string Field { get; init; } = "tls_delivery";
}
