using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Sidecar.Tls;

/// <summary>
/// Reads a mounted kubernetes.io/tls Secret. The kubelet writes a Secret volume as symlinks into a
/// timestamped folder and swaps one <c>..data</c> link when the Secret changes
/// (kubernetes pkg/volume/util/atomic_writer.go), so reading the files by name always sees one
/// whole version; the fingerprint tells versions apart without parsing.
/// </summary>
internal static class TlsFolder
{
    public const string CertificateFile = "tls.crt";
    public const string KeyFile = "tls.key";
    public const string AuthorityFile = "ca.crt";

    /// <summary>A hash of the files' bytes, or null when the certificate or key is missing.</summary>
    public static string? Fingerprint(string folder)
    {
        var certificate = Path.Combine(folder, CertificateFile);
        var key = Path.Combine(folder, KeyFile);
        if (!File.Exists(certificate) || !File.Exists(key))
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { certificate, key, Path.Combine(folder, AuthorityFile) })
        {
            if (File.Exists(file))
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A hash of <c>ca.crt</c> alone (a Secret of authorities has no key), or null when it is missing.</summary>
    public static string? AuthorityFingerprint(string folder)
    {
        var file = Path.Combine(folder, AuthorityFile);
        return File.Exists(file) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))) : null;
    }

    /// <summary>The authorities in <c>ca.crt</c>.</summary>
    /// <exception cref="CryptographicException">The file holds no PEM certificate.</exception>
    public static X509Certificate2Collection ReadAuthorities(string folder)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(Path.Combine(folder, AuthorityFile));
        return authorities.Count == 0 ? throw new CryptographicException($"{AuthorityFile} holds no PEM certificate") : authorities;
    }

    /// <summary>The certificate with its key and the rest of its chain, and the authorities in <c>ca.crt</c>.</summary>
    /// <exception cref="CryptographicException">The files are not a PEM certificate and a matching key.</exception>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain, X509Certificate2Collection Authorities) Read(string folder)
    {
        var certificateFile = Path.Combine(folder, CertificateFile);
        var leaf = X509Certificate2.CreateFromPemFile(certificateFile, Path.Combine(folder, KeyFile));
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                intermediates.Add(certificate);
            }
        }

        var authorities = new X509Certificate2Collection();
        var authorityFile = Path.Combine(folder, AuthorityFile);
        if (File.Exists(authorityFile))
        {
            authorities.ImportFromPemFile(authorityFile);
        }

        return (leaf, intermediates, authorities);
    }
}
