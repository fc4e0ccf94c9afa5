using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Tunnel.Security;

/// <summary>Trust decided by a given set of authorities rather than the system's store, as a peer given a CA file decides it.</summary>
public static class CertificateTrust
{
    /// <summary>Whether <paramref name="presented"/> chains to one of <paramref name="authorities"/> (no revocation check: these are private authorities).</summary>
    public static bool ChainsTo(X509Certificate presented, X509Certificate2Collection authorities)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
