using k8s;
using Microsoft.Extensions.Options;

namespace Mirrord.Webhook.Hosting;

/// <summary>
/// The webhook's API client: <see cref="WebhookOptions.Kubeconfig"/> when set (outside a cluster),
/// else the pod's service account. One client serves every admission; the certificate bootstrap
/// makes its own short-lived ones.
/// </summary>
internal sealed class KubernetesClientFactory : IDisposable
{
    private readonly WebhookOptions _options;
    private readonly Lazy<IKubernetes> _shared;

    public KubernetesClientFactory(IOptions<WebhookOptions> options)
    {
        _options = options.Value;
        _shared = new Lazy<IKubernetes>(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The shared client; throws <see cref="k8s.Exceptions.KubeConfigException"/> when neither a kubeconfig nor a service account is there.</summary>
    public IKubernetes Shared => _shared.Value;

    public IKubernetes Create() => new k8s.Kubernetes(_options.Kubeconfig is { } kubeconfig
        ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)
        : KubernetesClientConfiguration.InClusterConfig());

    public void Dispose()
    {
        if (_shared.IsValueCreated)
        {
            _shared.Value.Dispose();
        }
    }
}
