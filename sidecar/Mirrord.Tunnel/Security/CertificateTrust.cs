using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Tunnel.Security;

/// <summary>Trust decided by a given set of authorities rather than the system's store, as a peer given a CA file decides it.</summary>
public static class CertificateTrust
{
    /// <summary>The extended key usage a TLS client certificate is for (RFC 5280, id-kp-clientAuth).</summary>
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Whether <paramref name="presented"/> chains to one of <paramref name="authorities"/> (no revocation check: these are private authorities).</summary>
    public static bool ChainsTo(X509Certificate presented, X509Certificate2Collection authorities)
        => Build(presented, authorities, intermediates: null, usage: null);

    /// <summary>
    /// Whether a caller's client certificate is one a TLS server given <paramref name="authorities"/> accepts: it
    /// chains to one of them (through the intermediates the caller sent), is within its validity, and, when it
    /// names the uses of its key (extended key usage, RFC 5280 4.2.1.12), names client authentication.
    /// </summary>
    public static bool IsValidClientCertificate(X509Certificate presented, X509Certificate2Collection authorities, X509Chain? sent)
        => Build(presented, authorities, sent?.ChainPolicy.ExtraStore, s_clientAuthentication);

    private static bool Build(X509Certificate presented, X509Certificate2Collection authorities, X509Certificate2Collection? intermediates, Oid? usage)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(usage);
        }

        return chain.Build(certificate);
    }
}
