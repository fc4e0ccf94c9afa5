using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mirrord.Cli.Kubernetes;

namespace Mirrord.Cli.Variables;

/// <summary>
/// The real sources: the ConfigMaps, Secrets and Services of the pod's namespace, read through the API server with the
/// developer's kubeconfig. A 403 becomes a sentence naming the object and the <c>kubectl auth can-i</c> that would
/// allow it; a 404 is an object that does not exist.
/// </summary>
internal sealed class KubeEnvironmentSources(KubeContext kube, string @namespace) : IEnvironmentSources
{
    public async Task<IDictionary<string, string>?> ConfigMapAsync(string name, CancellationToken cancellationToken)
    {
        var map = await ReadAsync("configmaps", name, () => kube.Client.CoreV1.ReadNamespacedConfigMapAsync(name, @namespace, cancellationToken: cancellationToken));
        return map is null ? null : new Dictionary<string, string>(map.Data ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    public async Task<IDictionary<string, string>?> SecretAsync(string name, CancellationToken cancellationToken)
    {
        var secret = await ReadAsync("secrets", name, () => kube.Client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken));
        return secret is null ? null : (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<V1Service>> ServicesAsync(bool includeNamespace, CancellationToken cancellationToken)
    {
        var services = new List<V1Service>();
        if (includeNamespace)
        {
            try
            {
                services.AddRange((await kube.Client.CoreV1.ListNamespacedServiceAsync(@namespace, cancellationToken: cancellationToken)).Items);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new EnvironmentSourceForbiddenException(
                    $"the Services of namespace {@namespace} (their link variables, such as ORDERS_SERVICE_HOST) cannot be listed: kubectl auth can-i list services -n {@namespace}");
            }
        }

        // The kubelet adds the master Service of namespace default to every pod, whatever enableServiceLinks says.
        if (@namespace != "default" || !includeNamespace)
        {
            var master = await ReadAsync("services", "kubernetes", () => kube.Client.CoreV1.ReadNamespacedServiceAsync("kubernetes", "default", cancellationToken: cancellationToken), "default", quiet: true);
            if (master is not null)
            {
                services.RemoveAll(s => s.Name() == "kubernetes");
                services.Add(master);
            }
        }

        return services;
    }

    private async Task<T?> ReadAsync<T>(string resource, string name, Func<Task<T>> read, string? inNamespace = null, bool quiet = false)
        where T : class
    {
        var ns = inNamespace ?? @namespace;
        try
        {
            return await read();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            if (quiet)
            {
                return null;
            }

            var kind = resource == "configmaps" ? "ConfigMap" : resource == "secrets" ? "Secret" : "Service";
            throw new EnvironmentSourceForbiddenException($"{kind} {ns}/{name} cannot be read with your credentials, so its variables are left out: kubectl auth can-i get {resource}/{name} -n {ns}");
        }
    }
}
