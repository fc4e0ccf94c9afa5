using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Webhook.Tests;

/// <summary>A self-signed serving certificate for the webhook's Service name, written as the PEM pair a Secret mounts.</summary>
internal static class TestCertificate
{
    public static X509Certificate2 Write(string certificateFile, string keyFile, string commonName = "mirrord-webhook.mirrord-system.svc")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(commonName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Written to temporary names and renamed, as kubelet swaps a Secret's files, so a reader never sees half a pair.
        File.WriteAllText(keyFile + ".tmp", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile + ".tmp", certificate.ExportCertificatePem());
        File.Move(keyFile + ".tmp", keyFile, overwrite: true);
        File.Move(certificateFile + ".tmp", certificateFile, overwrite: true);
        return certificate;
    }
}
