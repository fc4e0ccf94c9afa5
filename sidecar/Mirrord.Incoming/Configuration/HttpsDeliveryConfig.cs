namespace Mirrord.Incoming.Configuration;

/// <summary>
/// <c>https_delivery</c>: how the CLI delivers requests that reached the pod over TLS (HTTPS stealing)
/// to the local process. In clear HTTP by default; over TLS when <see cref="Tls"/>, trusting the local
/// server's certificate by <see cref="ServerCertificate"/> (that exact certificate), else by
/// <see cref="TrustRoots"/>, else by the system's trust store. The files are read by the CLI; the
/// sidecar ignores the setting.
/// </summary>
public sealed record HttpsDeliveryConfig
{
    /// <summary><c>protocol</c>: "tls" (true) or "tcp" (false, clear HTTP).</summary>
    public bool Tls { get; init; }

    /// <summary><c>trust_roots</c>: PEM files of the authorities the local server's certificate must chain to.</summary>
    public IReadOnlyList<string> TrustRoots { get; init; } = [];

    /// <summary><c>server_name</c>: the SNI and the name checked in the local certificate; default <c>localhost</c>.</summary>
    public string? ServerName { get; init; }

    /// <summary><c>server_cert</c>: a PEM file with the certificate the local server must present.</summary>
    public string? ServerCertificate { get; init; }
}
