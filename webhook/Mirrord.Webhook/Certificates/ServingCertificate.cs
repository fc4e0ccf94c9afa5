using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Webhook.Certificates;

/// <summary>
/// A CA and a serving certificate it signed, as PEM, for the webhook's Service names. The API
/// server trusts the CA through the webhook configuration's caBundle.
/// </summary>
internal sealed record ServingCertificate(string CaPem, string CertificatePem, string KeyPem)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>Renewed when less than this is left, so a restart well before expiry picks a fresh one.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static IReadOnlyList<string> DnsNames(string service, string @namespace)
        => [service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];

    public static ServingCertificate Create(string service, string @namespace, DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=mirrord-webhook-ca.{@namespace}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={service}.{@namespace}.svc", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in DnsNames(service, @namespace))
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(ca, now.AddMinutes(-5), now.Add(Lifetime), serial);
        return new ServingCertificate(ca.ExportCertificatePem(), certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Usable as is: parses, chains to the CA, names the service, and is not about to expire.</summary>
    public bool IsUsable(string service, string @namespace, DateTimeOffset now)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem, KeyPem);
            using var ca = X509Certificate2.CreateFromPem(CaPem);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(certificate)
                && certificate.NotAfter.ToUniversalTime() - now.UtcDateTime > RenewBefore
                && DnsNames(service, @namespace).All(name => certificate.MatchesHostname(name));
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
