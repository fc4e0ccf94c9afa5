namespace Mirrord.Tunnel;

/// <summary>
/// The pod annotations that ask for HTTPS stealing: the webhook reads them, and the sidecar names them in
/// what it tells developers, so a refusal says which annotation would lift it (docs/HTTPS.md).
/// </summary>
public static class TlsAnnotations
{
    /// <summary>A kubernetes.io/tls Secret: the certificate the app terminates TLS with.</summary>
    public const string Secret = "mirrord.dev/tls-secret";

    /// <summary>The intercepted ports (numbers or names) whose app serves TLS with <see cref="Secret"/>.</summary>
    public const string Ports = "mirrord.dev/tls-ports";

    /// <summary>A kubernetes.io/tls Secret with a client certificate for the sidecar, for apps that ask callers for one.</summary>
    public const string ClientSecret = "mirrord.dev/tls-client-secret";

    /// <summary>
    /// A Secret whose <c>ca.crt</c> holds the authorities the app trusts for its callers' client certificates.
    /// With <see cref="ClientSecret"/> the sidecar stands in for callers towards the app, so it must check their
    /// certificates as the app would: without it, a port whose app asks for one is not filtered.
    /// </summary>
    public const string ClientAuthority = "mirrord.dev/tls-client-ca";

    /// <summary><c>"true"</c> passes each caller's verified certificate on in <c>x-forwarded-client-cert</c> (Envoy's form).</summary>
    public const string ForwardClientCertificate = "mirrord.dev/tls-forward-client-cert";
}
