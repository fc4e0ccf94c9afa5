using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// The FAKE API server's own CA and serving certificate, made fresh for each server. With a TLS
/// server name the certificate names only that host, and a handshake whose SNI is anything else
/// gets no certificate: that is how a proxy that routes by SNI (the reason kubeconfig has
/// <c>tls-server-name</c>) treats a client that does not send it.
/// </summary>
public sealed class FakeApiCertificates
{
    private readonly X509Certificate2 _serving;

    private FakeApiCertificates(string caPem, X509Certificate2 serving, string? tlsServerName)
    {
        CaPem = caPem;
        _serving = serving;
        TlsServerName = tlsServerName;
    }

    public string CaPem { get; }

    public string? TlsServerName { get; }

    /// <summary>The SNI of every handshake, in order (null when the client sent none, as for an IP address).</summary>
    public List<string?> SeenServerNames { get; } = [];

    public static FakeApiCertificates Create(string? tlsServerName)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=fake-kubernetes-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (tlsServerName is null)
        {
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
        }
        else
        {
            names.AddDnsName(tlsServerName);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        var serving = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new FakeApiCertificates(ca.ExportCertificatePem(), serving, tlsServerName);
    }

    internal X509Certificate2? Select(string? serverName)
    {
        lock (SeenServerNames)
        {
            SeenServerNames.Add(serverName);
        }

        return TlsServerName is null || string.Equals(serverName, TlsServerName, StringComparison.OrdinalIgnoreCase) ? _serving : null;
    }
}
