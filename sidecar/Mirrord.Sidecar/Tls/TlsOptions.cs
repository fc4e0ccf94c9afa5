using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// HTTPS stealing (<c>Sidecar:Tls</c>, written by the webhook from the pod's <c>mirrord.dev/tls-*</c>
/// annotations): the container ports whose app terminates TLS itself, and where the app's
/// certificate (a kubernetes.io/tls Secret) is mounted. Without ports, TLS connections are relayed
/// as opaque bytes, as they always were.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>Comma-separated container ports that serve TLS with the certificate in <see cref="CertificateDirectory"/>.</summary>
    public string Ports { get; set; } = string.Empty;

    /// <summary>A mounted kubernetes.io/tls Secret: <c>tls.crt</c> (the chain), <c>tls.key</c>, and optionally <c>ca.crt</c>.</summary>
    public string CertificateDirectory { get; set; } = string.Empty;

    /// <summary>
    /// A mounted kubernetes.io/tls Secret with the sidecar's own client certificate, presented to an
    /// app that asks callers for one. Without it, such a port is not filtered.
    /// </summary>
    public string ClientCertificateDirectory { get; set; } = string.Empty;

    /// <summary>
    /// A mounted Secret whose <c>ca.crt</c> holds the authorities the app trusts for its callers' client
    /// certificates. The sidecar presents its own certificate to such an app only for callers whose
    /// certificates it verified against these: without them, such a port is not filtered.
    /// </summary>
    public string ClientAuthorityDirectory { get; set; } = string.Empty;

    /// <summary>Whether requests reach the app (and laptops) with the caller's verified certificate in <c>x-forwarded-client-cert</c>.</summary>
    public bool ForwardClientCertificate { get; set; }

    /// <summary>How often the mounted files are looked at again; the kubelet rewrites them when the Secret changes.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a caller may take to complete its TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    private IReadOnlyList<int>? _ports;

    internal IReadOnlyList<int> PortList => _ports ??= PortListText.TryParsePorts(Ports, out var ports) ? ports : [];
}
