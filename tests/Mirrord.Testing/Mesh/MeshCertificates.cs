using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Testing.Mesh;

/// <summary>
/// A certificate authority and the workload certificate a mesh proxy presents for the pod (its IP
/// and its service name), written as PEM files that the proxy's unprivileged uid can read.
/// </summary>
public sealed class MeshCertificates : IDisposable
{
    private MeshCertificates(string folder, X509Certificate2 authority)
    {
        Folder = folder;
        Authority = authority;
    }

    public string Folder { get; }

    public X509Certificate2 Authority { get; }

    public string CertificateFile => Path.Combine(Folder, "tls.crt");

    public string KeyFile => Path.Combine(Folder, "tls.key");

    public string AuthorityFile => Path.Combine(Folder, "ca.crt");

    public static MeshCertificates Create(IPAddress podAddress, string serviceName)
    {
        var folder = Directory.CreateTempSubdirectory("mirrord-mesh-").FullName;
        ReadableByEveryone(folder, UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        // One instant for both: a leaf may not outlive its issuer, and two clock reads a second apart would make it.
        var now = DateTimeOffset.UtcNow;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=stand-in mesh CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var authority = authorityRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serviceName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(serviceName);
        names.AddIpAddress(podAddress);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var leaf = request.Create(authority, now.AddMinutes(-5), now.AddDays(1), serial);

        var certificates = new MeshCertificates(folder, authority);
        File.WriteAllText(certificates.CertificateFile, leaf.ExportCertificatePem());
        File.WriteAllText(certificates.KeyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificates.AuthorityFile, authority.ExportCertificatePem());
        foreach (var file in new[] { certificates.CertificateFile, certificates.KeyFile, certificates.AuthorityFile })
        {
            ReadableByEveryone(file, UnixFileMode.None);
        }

        return certificates;
    }

    // The proxy runs as its own uid (1337, 2102), which must read them; the key is a throwaway.
    private static void ReadableByEveryone(string path, UnixFileMode extra)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | extra);
        }
    }

    /// <summary>Accepts a server certificate only if it chains to <see cref="Authority"/>, as a client given the CA file does.</summary>
    public bool Validate(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    public void Dispose()
    {
        Authority.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
