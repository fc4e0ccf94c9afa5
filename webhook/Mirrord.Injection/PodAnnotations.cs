using Mirrord.Tunnel;

namespace Mirrord.Injection;

/// <summary>The annotation and label names users and the webhook put on pods and namespaces.</summary>
public static class PodAnnotations
{
    /// <summary>Pod annotation: <c>"true"</c> injects, <c>"false"</c> never injects.</summary>
    public const string Inject = "mirrord.dev/inject";

    /// <summary>Pod annotation written by the webhook: what it injected, as <see cref="InjectionStatus"/> JSON.</summary>
    public const string Status = "mirrord.dev/status";

    /// <summary>Pod annotation: comma-separated container ports to intercept.</summary>
    public const string Ports = "mirrord.dev/ports";

    /// <summary>Pod annotation: the pod's default <c>feature.network.incoming</c> policy.</summary>
    public const string Config = "mirrord.dev/config";

    /// <summary>Pod annotations overriding the sidecar's resources (Kubernetes quantities).</summary>
    public const string SidecarCpuRequest = "mirrord.dev/sidecar-cpu-request";

    public const string SidecarMemoryRequest = "mirrord.dev/sidecar-memory-request";

    public const string SidecarMemoryLimit = "mirrord.dev/sidecar-memory-limit";

    /// <summary>Pod annotations for HTTPS stealing (docs/HTTPS.md), shared with the sidecar, which names them in its refusals.</summary>
    public const string TlsSecret = TlsAnnotations.Secret;

    public const string TlsPorts = TlsAnnotations.Ports;

    public const string TlsClientSecret = TlsAnnotations.ClientSecret;

    public const string TlsClientCa = TlsAnnotations.ClientAuthority;

    public const string TlsForwardClientCert = TlsAnnotations.ForwardClientCertificate;

    /// <summary>Namespace label: <c>enabled</c> injects every new pod of the namespace, <c>disabled</c> none.</summary>
    public const string NamespaceInjection = "mirrord.dev/injection";

    /// <summary>
    /// Namespace annotation: the namespace's session policy (docs/POLICY.md), combined with the
    /// cluster's (<c>Injection:Policy</c>) to the stricter and written into every injected sidecar.
    /// </summary>
    public const string NamespacePolicy = "mirrord.dev/policy";

    /// <summary>The injected sidecar container's name.</summary>
    public const string SidecarContainer = "mirrord-sidecar";

    /// <summary>The injected network set-up init container's name.</summary>
    public const string InitContainer = "mirrord-init";
}
