namespace Mirrord.Sidecar.Tls;

/// <summary>What the app asks of its callers' client certificates on one port, as its handshake shows it.</summary>
internal enum CallerCertificates
{
    /// <summary>The app does not ask for one.</summary>
    NotAsked,

    /// <summary>The app asks, and lets a caller without one in (a certificate it is given must still be valid).</summary>
    Optional,

    /// <summary>The app refuses a caller without one. Also assumed when the app would not say (it speaks no TLS 1.2).</summary>
    Required,
}
