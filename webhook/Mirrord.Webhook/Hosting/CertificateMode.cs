namespace Mirrord.Webhook.Hosting;

/// <summary>Where the serving certificate comes from; see <see cref="WebhookOptions.CertificateMode"/>.</summary>
public enum CertificateMode
{
    Files,
    SelfManaged,
}
