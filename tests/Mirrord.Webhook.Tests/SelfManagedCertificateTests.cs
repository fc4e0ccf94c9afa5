using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Testing;
using Mirrord.Testing.Kubernetes;
using Mirrord.Webhook.Certificates;

namespace Mirrord.Webhook.Tests;

/// <summary>
/// <c>Webhook:CertificateMode=SelfManaged</c> against the FAKE API server: the webhook makes its own
/// CA and certificate, keeps them in a Secret, and fills its configuration's caBundle.
/// </summary>
public sealed class SelfManagedCertificateTests : IAsyncLifetime
{
    private FakeKubeApiServer _api = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApiServer.StartAsync("mirrord-system");
        _kubeconfig = _api.WriteKubeconfig();
        _api.PutObject(FakeKubeApiServer.WebhookConfigurationKey("mirrord-webhook"), JsonNode.Parse("""
            { "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": { "name": "mirrord-webhook" },
              "webhooks": [
                { "name": "namespace.inject.mirrord.dev", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                  "clientConfig": { "service": { "name": "mirrord-webhook", "namespace": "mirrord-system", "path": "/mutate" } } },
                { "name": "pod.inject.mirrord.dev", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                  "clientConfig": { "service": { "name": "mirrord-webhook", "namespace": "mirrord-system", "path": "/mutate" } } } ] }
            """)!.AsObject());
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    private Dictionary<string, string?> SelfManaged => new()
    {
        ["Webhook:CertificateMode"] = "SelfManaged",
        ["Webhook:Namespace"] = "mirrord-system",
        ["Webhook:Kubeconfig"] = _kubeconfig,
    };

    [Fact]
    public async Task FirstStart_CreatesTheSecret_FillsEveryCaBundle_AndServesACertificateForTheService()
    {
        await using var webhook = await WebhookHost.StartAsync(writeCertificate: false, SelfManaged);

        var secret = _api.GetObject(FakeKubeApiServer.SecretKey("mirrord-system", "mirrord-webhook-tls"))!;
        Assert.Equal("kubernetes.io/tls", secret["type"]!.GetValue<string>());
        var caPem = Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["ca.crt"]!.GetValue<string>()));
        using var ca = X509Certificate2.CreateFromPem(caPem);
        var webhooks = _api.GetObject(FakeKubeApiServer.WebhookConfigurationKey("mirrord-webhook"))!["webhooks"]!.AsArray();
        Assert.All(webhooks, hook => Assert.Equal(caPem, Encoding.UTF8.GetString(Convert.FromBase64String(hook!["clientConfig"]!["caBundle"]!.GetValue<string>()))));

        var served = await ServedCertificateAsync(webhook);
        Assert.True(served.MatchesHostname("mirrord-webhook.mirrord-system.svc"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(served), "the served certificate does not chain to the CA in the caBundle");
    }

    [Fact]
    public async Task SecondReplica_ReusesTheSecret_AndChangesNothing()
    {
        await using var first = await WebhookHost.StartAsync(writeCertificate: false, SelfManaged);
        var writes = _api.Writes;

        await using var second = await WebhookHost.StartAsync(writeCertificate: false, SelfManaged);

        Assert.Equal(writes, _api.Writes);
        Assert.Equal((await ServedCertificateAsync(first)).Thumbprint, (await ServedCertificateAsync(second)).Thumbprint);
    }

    [Fact]
    public async Task CertificateAboutToExpire_IsReplacedAtStart_AndItsCaStaysInTheBundle()
    {
        var now = DateTimeOffset.UtcNow;
        var old = PutExpiringSecret(now);

        await using var webhook = await WebhookHost.StartAsync(writeCertificate: false, SelfManaged);

        Assert.True((await ServedCertificateAsync(webhook)).NotAfter > now.AddDays(300).UtcDateTime);
        var bundle = Bundle();
        Assert.Contains(old.CaPem, bundle, StringComparison.Ordinal);
        Assert.Equal(2, bundle.Split("BEGIN CERTIFICATE").Length - 1);
    }

    [Fact]
    public async Task RunningWebhook_RenewsItsCertificate_WhenItComesNearItsEnd_WithoutARestart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var renewalInterval = TimeSpan.FromHours(6);
        var checkInterval = TimeSpan.FromHours(1);
        var settings = SelfManaged;
        settings["Webhook:CertificateRenewalInterval"] = renewalInterval.ToString();
        settings["Webhook:CertificateCheckInterval"] = checkInterval.ToString();
        await using var webhook = await WebhookHost.StartAsync(writeCertificate: false, settings, clock);
        var first = await ServedCertificateAsync(webhook);
        var firstCa = StoredCa();

        // Eleven months later, the certificate has a month and a day left: the renewal checks so far kept it.
        clock.Advance(ServingCertificate.Lifetime - ServingCertificate.RenewBefore - TimeSpan.FromDays(1));
        Assert.Equal(first.ExportCertificatePem(), StoredCertificate());

        // Two days on, the check that comes when less than a month is left renews it.
        clock.Advance(TimeSpan.FromDays(2));
        // The renewal writes the Secret, then the files the webhook serves from, then the caBundle: the reload check is due once all are done.
        await Poll.UntilAsync(
            () => StoredCertificate() != first.ExportCertificatePem() && File.ReadAllText(webhook.CertificateFile).Trim() == StoredCertificate() && Bundle().Contains(StoredCa(), StringComparison.Ordinal),
            "the Secret, the served files and the caBundle got the new certificate");
        clock.Advance(checkInterval);

        var served = await ServedCertificateAsync(webhook);
        Assert.NotEqual(first.Thumbprint, served.Thumbprint);
        Assert.Equal(StoredCertificate(), served.ExportCertificatePem());
        Assert.True(served.NotAfter > clock.GetUtcNow().AddDays(300).UtcDateTime, $"served a certificate ending {served.NotAfter:u}");

        // The old CA stays in the bundle beside the new one: replicas that have not reloaded yet are still trusted.
        var bundle = Bundle();
        Assert.Contains(firstCa, bundle, StringComparison.Ordinal);
        Assert.Contains(StoredCa(), bundle, StringComparison.Ordinal);
    }

    private string Bundle() => Encoding.UTF8.GetString(Convert.FromBase64String(
        _api.GetObject(FakeKubeApiServer.WebhookConfigurationKey("mirrord-webhook"))!["webhooks"]![0]!["clientConfig"]!["caBundle"]!.GetValue<string>()));

    private string StoredCertificate() => StoredSecretValue("tls.crt");

    private string StoredCa() => StoredSecretValue("ca.crt");

    private string StoredSecretValue(string key) => Encoding.UTF8.GetString(Convert.FromBase64String(
        _api.GetObject(FakeKubeApiServer.SecretKey("mirrord-system", "mirrord-webhook-tls"))!["data"]![key]!.GetValue<string>())).Trim();

    /// <summary>Puts a certificate with ten days left into the Secret, as if it had been made a year ago.</summary>
    private Certificates.ServingCertificate PutExpiringSecret(DateTimeOffset now)
    {
        var old = ServingCertificate.Create("mirrord-webhook", "mirrord-system", now - ServingCertificate.Lifetime + TimeSpan.FromDays(10));
        _api.PutObject(FakeKubeApiServer.SecretKey("mirrord-system", "mirrord-webhook-tls"), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["type"] = "kubernetes.io/tls",
            ["metadata"] = new JsonObject { ["name"] = "mirrord-webhook-tls", ["namespace"] = "mirrord-system" },
            ["data"] = new JsonObject
            {
                ["ca.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(old.CaPem)),
                ["tls.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(old.CertificatePem)),
                ["tls.key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(old.KeyPem)),
            },
        });
        return old;
    }

    private static async Task<X509Certificate2> ServedCertificateAsync(WebhookHost webhook)
    {
        X509Certificate2? seen = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions =
            {
                // Pinned below: the test compares the served certificate with the Secret and the CA.
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                    return seen.MatchesHostname("mirrord-webhook.mirrord-system.svc");
                },
            },
        });
        (await client.GetAsync($"https://127.0.0.1:{webhook.Port}/healthz")).Dispose();
        return seen!;
    }
}
