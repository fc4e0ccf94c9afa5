namespace Mirrord.Webhook.Hosting;

/// <summary>
/// The webhook's settings, bound from the <c>Webhook</c> section (environment variables
/// <c>MIRRORD_Webhook__Port</c> and so on). The injected images and defaults are the
/// <c>Injection</c> section (<see cref="Injection.InjectionOptions"/>).
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhook";

    /// <summary>HTTPS: <c>/mutate</c>, <c>/healthz</c>, <c>/readyz</c>.</summary>
    public int Port { get; set; } = 8443;

    /// <summary>Plain HTTP for Prometheus and probes: <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>.</summary>
    public int MetricsPort { get; set; } = 9090;

    /// <summary>
    /// <c>Files</c>: serve the PEM pair mounted at <see cref="CertificateFile"/> (cert-manager, your own).
    /// <c>SelfManaged</c>: create or reuse a CA and certificate in <see cref="SecretName"/>, write them
    /// to those paths, and patch the caBundle of <see cref="WebhookConfigurationName"/>.
    /// </summary>
    public CertificateMode CertificateMode { get; set; } = CertificateMode.Files;

    /// <summary>The webhook's namespace (default: <c>POD_NAMESPACE</c>).</summary>
    public string? Namespace { get; set; } = Environment.GetEnvironmentVariable("POD_NAMESPACE");

    public string ServiceName { get; set; } = "mirrord-webhook";

    public string SecretName { get; set; } = "mirrord-webhook-tls";

    public string WebhookConfigurationName { get; set; } = "mirrord-webhook";

    /// <summary>How often, with SelfManaged, the Secret is checked and a certificate near its end renewed while running.</summary>
    public TimeSpan CertificateRenewalInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A kubeconfig for SelfManaged outside a cluster (tests, development); in a pod the service account is used.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>PEM certificate (chain) served on <see cref="Port"/>; re-read when it changes on disk.</summary>
    public string CertificateFile { get; set; } = "/etc/mirrord-webhook/tls/tls.crt";

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string KeyFile { get; set; } = "/etc/mirrord-webhook/tls/tls.key";

    /// <summary>How often the certificate files are checked for a change (a mounted Secret is swapped, not edited).</summary>
    public TimeSpan CertificateCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an admission waits for the pod's namespace (its mesh labels) before admitting the pod
    /// without the sidecar; keep it inside the webhook configuration's <c>timeoutSeconds</c> (3).
    /// </summary>
    public TimeSpan NamespaceReadTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Largest AdmissionReview accepted (the API server caps objects at about 1.5 MiB).</summary>
    public int MaxReviewBytes { get; set; } = 3 * 1024 * 1024;
}
