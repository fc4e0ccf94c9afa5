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
    public const string TlsClientAuthorityDirectory = "MIRRORD_Sidecar__Tls__ClientAuthorityDirectory";
    public const string TlsForwardClientCertificate = "MIRRORD_Sidecar__Tls__ForwardClientCertificate";

    /// <summary>Where the injector mounts the Secret with the authorities the app trusts for client certificates.</summary>
    public const string TlsClientAuthorityMountPath = "/etc/mirrord/tls-client-ca";

    /// <summary>Where the injector mounts the app's certificate (a kubernetes.io/tls Secret) into the sidecar, read-only.</summary>
    public const string TlsMountPath = "/etc/mirrord/tls";

    /// <summary>Where the injector mounts the sidecar's own client certificate, read-only.</summary>
    public const string TlsClientMountPath = "/etc/mirrord/tls-client";

    /// <summary>
    /// The sidecar's administration socket (a Unix socket): ending any session is served there alone, and it
    /// lives in a volume mounted into the sidecar's container only, so only a process in that container (what
    /// <c>kubectl exec</c> runs, with RBAC on pods/exec) reaches it. Never on the port-forwardable session port.
    /// </summary>
    public const string AdminSocket = "MIRRORD_Sidecar__AdminSocket";

    /// <summary>Where the injector mounts the sidecar's private volume (an emptyDir), and the socket in it.</summary>
    public const string AdminMountPath = "/run/mirrord";

    public const string AdminSocketPath = AdminMountPath + "/admin.sock";

    /// <summary>The sidecar's executable in its image, which <c>mirrord-cli sessions kill</c> runs in the container.</summary>
    public const string Executable = "/app/mirrord-sidecar";

    /// <summary>One request limit, by its <c>HttpLimitsOptions</c> property name.</summary>
    public static string Limit(string name) => $"MIRRORD_Sidecar__Limits__{name}";
}
