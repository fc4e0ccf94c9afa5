using System.Net.Security;

namespace Mirrord.Sidecar.Tls;

/// <summary>What the sidecar learnt about the app's TLS on one port, with one version of its certificate.</summary>
/// <param name="CertificateVersion">The <see cref="AppCertificate.Version"/> it was learnt with.</param>
/// <param name="Refusal">Why requests on this port are not filtered (the TLS is relayed as opaque bytes), or null when they are.</param>
/// <param name="ApplicationProtocols">What the sidecar offers callers in ALPN: what the app offers.</param>
internal sealed record AppTlsProfile(int CertificateVersion, string? Refusal, List<SslApplicationProtocol> ApplicationProtocols)
{
    public bool Filtered => Refusal is null;
}
