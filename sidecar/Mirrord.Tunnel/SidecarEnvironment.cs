namespace Mirrord.Tunnel;

/// <summary>
/// The environment variables the injector writes into the sidecar container and the sidecar binds
/// (section <c>Sidecar</c>, prefix <c>MIRRORD_</c>): the contract between the two, in one place.
/// </summary>
public static class SidecarEnvironment
{
    public const string InterceptedPorts = "MIRRORD_Sidecar__InterceptedPorts";
    public const string PodName = "MIRRORD_Sidecar__PodName";
    public const string PodNamespace = "MIRRORD_Sidecar__PodNamespace";
    public const string DefaultIncoming = "MIRRORD_Sidecar__DefaultIncoming";
    public const string Policy = "MIRRORD_Sidecar__Policy";

    /// <summary>The pod's httpGet and grpc probes on intercepted ports (<see cref="Probes.AppProbeList"/>), which always reach the app.</summary>
    public const string Probes = "MIRRORD_Sidecar__Probes";
    public const string TlsPorts = "MIRRORD_Sidecar__Tls__Ports";
    public const string TlsCertificateDirectory = "MIRRORD_Sidecar__Tls__CertificateDirectory";
    public const string TlsClientCertificateDirectory = "MIRRORD_Sidecar__Tls__ClientCertificateDirectory";

    /// <summary>Where the injector mounts the app's certificate (a kubernetes.io/tls Secret) into the sidecar, read-only.</summary>
    public const string TlsMountPath = "/etc/mirrord/tls";

    /// <summary>Where the injector mounts the sidecar's own client certificate, read-only.</summary>
    public const string TlsClientMountPath = "/etc/mirrord/tls-client";

    /// <summary>One request limit, by its <c>HttpLimitsOptions</c> property name.</summary>
    public static string Limit(string name) => $"MIRRORD_Sidecar__Limits__{name}";
}
