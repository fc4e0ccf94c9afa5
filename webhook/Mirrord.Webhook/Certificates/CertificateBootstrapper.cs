using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Certificates;

/// <summary>
/// Certificates without extra software (<c>Webhook:CertificateMode=SelfManaged</c>): before the
/// webhook listens, it reuses the CA and serving certificate kept in its Secret, or creates them
/// (the first replica wins; the others read what it wrote), writes them where
/// <see cref="CertificateReloader"/> reads, and puts the CA into its MutatingWebhookConfiguration's
/// caBundle. Needs only the RBAC in manifests/base/rbac.yaml.
/// </summary>
internal sealed partial class CertificateBootstrapper
{
    private readonly WebhookOptions _options;
    private readonly KubernetesClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateBootstrapper> _logger;

    public CertificateBootstrapper(IOptions<WebhookOptions> options, KubernetesClientFactory clients, TimeProvider time, ILogger<CertificateBootstrapper> logger)
    {
        _options = options.Value;
        _clients = clients;
        _time = time;
        _logger = logger;
    }

    /// <summary>The API client for one bootstrap or renewal.</summary>
    public IKubernetes CreateClient() => _clients.Create();

    public async Task EnsureAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var ns = _options.Namespace ?? throw new InvalidOperationException("Webhook:Namespace (or POD_NAMESPACE) must be set for CertificateMode SelfManaged");
        var (certificate, previousCa) = await EnsureSecretAsync(client, ns, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_options.CertificateFile))!);
        await WriteAtomicallyAsync(_options.KeyFile, certificate.KeyPem, cancellationToken);
        await WriteAtomicallyAsync(_options.CertificateFile, certificate.CertificatePem, cancellationToken);

        // The previous CA stays trusted until the next rotation: replicas that have not reloaded yet keep working.
        await EnsureCaBundleAsync(client, certificate.CaPem + (previousCa ?? string.Empty), cancellationToken);
    }

    private static async Task WriteAtomicallyAsync(string path, string content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path + ".tmp", content, cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private async Task<(ServingCertificate Certificate, string? PreviousCa)> EnsureSecretAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await ReadSecretAsync(client, ns, cancellationToken);
            if (existing is not null && FromSecret(existing) is { } current && current.IsUsable(_options.ServiceName, ns, _time.GetUtcNow()))
            {
                Log.Reused(_logger, ns, _options.SecretName);
                return (current, PreviousCa(existing));
            }

            var fresh = ServingCertificate.Create(_options.ServiceName, ns, _time.GetUtcNow());
            var previousCa = existing is not null && FromSecret(existing) is { } replaced ? replaced.CaPem : null;
            var data = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.UTF8.GetBytes(fresh.CertificatePem),
                ["tls.key"] = Encoding.UTF8.GetBytes(fresh.KeyPem),
                ["ca.crt"] = Encoding.UTF8.GetBytes(fresh.CaPem),
            };
            if (previousCa is not null)
            {
                data[PreviousCaKey] = Encoding.UTF8.GetBytes(previousCa);
            }

            var secret = new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Type = "kubernetes.io/tls",
                Metadata = new V1ObjectMeta { Name = _options.SecretName, NamespaceProperty = ns, ResourceVersion = existing?.Metadata?.ResourceVersion },
                Data = data,
            };
            try
            {
                if (existing is null)
                {
                    await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken);
                }
                else
                {
                    await client.CoreV1.ReplaceNamespacedSecretAsync(secret, _options.SecretName, ns, cancellationToken: cancellationToken);
                }

                Log.Created(_logger, ns, _options.SecretName);
                return (fresh, previousCa);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                // Another replica wrote the Secret first: use what it wrote.
            }
        }
    }

    private async Task EnsureCaBundleAsync(IKubernetes client, string caPem, CancellationToken cancellationToken)
    {
        var configuration = await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_options.WebhookConfigurationName, cancellationToken: cancellationToken);
        var bundle = Encoding.UTF8.GetBytes(caPem);
        var operations = new List<string>();
        for (var i = 0; i < (configuration.Webhooks?.Count ?? 0); i++)
        {
            if (configuration.Webhooks![i].ClientConfig?.CaBundle is { } current && current.AsSpan().SequenceEqual(bundle))
            {
                continue;
            }

            operations.Add($$"""{"op":"add","path":"/webhooks/{{i}}/clientConfig/caBundle","value":"{{Convert.ToBase64String(bundle)}}"}""");
        }

        if (operations.Count > 0)
        {
            await client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(
                new V1Patch($"[{string.Join(",", operations)}]", V1Patch.PatchType.JsonPatch), _options.WebhookConfigurationName, cancellationToken: cancellationToken);
        }

        Log.CaBundle(_logger, _options.WebhookConfigurationName, operations.Count);
    }

    private async Task<V1Secret?> ReadSecretAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(_options.SecretName, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private const string PreviousCaKey = "ca-previous.crt";

    private static string? PreviousCa(V1Secret secret)
        => secret.Data is { } data && data.TryGetValue(PreviousCaKey, out var pem) ? Encoding.UTF8.GetString(pem) : null;

    private static ServingCertificate? FromSecret(V1Secret secret)
        => secret.Data is { } data && data.TryGetValue("ca.crt", out var ca) && data.TryGetValue("tls.crt", out var crt) && data.TryGetValue("tls.key", out var key)
            ? new ServingCertificate(Encoding.UTF8.GetString(ca), Encoding.UTF8.GetString(crt), Encoding.UTF8.GetString(key))
            : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = WebhookEventIds.CertificateReused, EventName = "CertificateReused", Level = LogLevel.Information,
            Message = "Using the certificate in Secret {Namespace}/{Secret}")]
        public static partial void Reused(ILogger logger, string @namespace, string secret);

        [LoggerMessage(EventId = WebhookEventIds.CertificateCreated, EventName = "CertificateCreated", Level = LogLevel.Information,
            Message = "Created a CA and serving certificate in Secret {Namespace}/{Secret}")]
        public static partial void Created(ILogger logger, string @namespace, string secret);

        [LoggerMessage(EventId = WebhookEventIds.CaBundlePatched, EventName = "CaBundlePatched", Level = LogLevel.Information,
            Message = "MutatingWebhookConfiguration {Name}: {Changed} caBundle(s) updated")]
        public static partial void CaBundle(ILogger logger, string name, int changed);
    }
}
