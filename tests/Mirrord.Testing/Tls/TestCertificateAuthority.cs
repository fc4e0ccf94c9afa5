using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Testing.Tls;

/// <summary>A certificate authority made by a test, issuing the app's server certificates and clients' certificates.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;

    private TestCertificateAuthority(string name)
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string name) => new(name);

    /// <summary>
    /// A server certificate for <paramref name="dnsName"/> (and 127.0.0.1), valid from a day ago for
    /// <paramref name="validFor"/> (negative: already expired); its subject is <c>CN=</c><paramref name="commonName"/>, default the name.
    /// </summary>
    public X509Certificate2 IssueServer(string dnsName, TimeSpan? validFor = null, string? commonName = null)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        return Issue($"CN={commonName ?? dnsName}", names.Build(), "1.3.6.1.5.5.7.3.1", validFor ?? TimeSpan.FromDays(1));
    }

    /// <summary>A client certificate (for an app that asks its callers for one), with <paramref name="uri"/> as a URI name (a SPIFFE id, say).</summary>
    public X509Certificate2 IssueClient(string name, string? uri = null)
    {
        X509Extension? names = null;
        if (uri is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            builder.AddUri(new Uri(uri));
            names = builder.Build();
        }

        return Issue($"CN={name}", names, "1.3.6.1.5.5.7.3.2", TimeSpan.FromDays(1));
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this authority, as a peer given only the CA file checks it.</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private X509Certificate2 Issue(string subject, X509Extension? names, string usage, TimeSpan validFor)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = validFor < TimeSpan.Zero ? DateTimeOffset.UtcNow.Add(validFor) : notBefore.Add(validFor).AddDays(1);
        using var issued = request.Create(Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
