using System.Net.Security;

namespace Mirrord.Sidecar.Tls;

/// <summary>What the sidecar learnt about the app's TLS on one port, with one version of its certificate.</summary>
/// <param name="CertificateVersion">The <see cref="AppCertificate.Version"/> it was learnt with.</param>
/// <param name="Refusal">Why requests on this port are not filtered (the TLS is relayed as opaque bytes), or null when they are.</param>
/// <param name="ApplicationProtocols">What the sidecar offers callers in ALPN: what the app offers.</param>
/// <param name="LearntAt">When it was learnt (a timestamp of the injected clock): a refusal is asked again after a back-off.</param>
/// <param name="Refusals">How many times in a row the port was refused, for the back-off.</param>
/// <param name="Callers">What the app asks of its callers' certificates: the sidecar asks the same of them.</param>
internal sealed record AppTlsProfile(
    int CertificateVersion,
    string? Refusal,
    List<SslApplicationProtocol> ApplicationProtocols,
    long LearntAt = 0,
    int Refusals = 0,
    CallerCertificates Callers = CallerCertificates.NotAsked)
{
    public bool Filtered => Refusal is null;
}
