namespace Mirrord.Webhook;

/// <summary>Event IDs of the webhook's logs (1xxx).</summary>
internal static class WebhookEventIds
{
    public const int Started = 1000;
    public const int Admitted = 1001;
    public const int Denied = 1002;
    public const int MalformedReview = 1003;
    public const int NamespaceUnreadable = 1004;
    public const int CertificateReloaded = 1010;
    public const int CertificateReloadFailed = 1011;
    public const int CertificateReused = 1012;
    public const int CertificateCreated = 1013;
    public const int CaBundlePatched = 1014;
    public const int CertificateRenewalFailed = 1015;
}
