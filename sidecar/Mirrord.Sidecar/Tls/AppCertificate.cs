using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Sidecar.Tls;

/// <summary>One version of the app's certificate as the Secret holds it.</summary>
/// <param name="Version">Counts reloads: what was learnt about the app with an older version is learnt again.</param>
/// <param name="Leaf">The certificate with its private key: what the sidecar presents to callers.</param>
/// <param name="Context">The leaf with its intermediates, as a TLS server sends them.</param>
/// <param name="Authorities">The Secret's <c>ca.crt</c>: an app certificate that chains to one of these is the app's too.</param>
/// <param name="Previous">The version before this one: the app may present it until it reloads its own copy.</param>
internal sealed record AppCertificate(int Version, X509Certificate2 Leaf, SslStreamCertificateContext Context, X509Certificate2Collection Authorities, X509Certificate2? Previous)
{
    /// <summary>
    /// Whether a certificate the app presented is the app's: the Secret's certificate (this version
    /// or the one before), or one that chains to the Secret's <c>ca.crt</c>. The name is not checked:
    /// the connection goes to the app in the same pod, whatever name the caller used.
    /// </summary>
    public bool IsTheApps(X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        var raw = presented.GetRawCertData();
        if (raw.AsSpan().SequenceEqual(Leaf.RawDataMemory.Span) || (Previous is not null && raw.AsSpan().SequenceEqual(Previous.RawDataMemory.Span)))
        {
            return true;
        }

        return Authorities.Count > 0 && Tunnel.Security.CertificateTrust.ChainsTo(presented, Authorities);
    }

    /// <summary>The certificate's first DNS name (subject alternative names), as a caller that knows the service would send in SNI; null when it has none.</summary>
    public static string? FirstDnsName(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(names => names.EnumerateDnsNames()).FirstOrDefault();
}
