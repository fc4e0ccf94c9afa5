using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using Mirrord.Injection;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Admission;

/// <summary>
/// Reads the labels and annotations of the namespace a pod is admitted into: a service mesh opts
/// whole namespaces in there (<c>istio-injection</c>, <c>istio.io/rev</c>, Linkerd's
/// <c>linkerd.io/inject</c> annotation), and its injector may run after ours. Read on every
/// admission rather than cached, so that a namespace labelled a moment ago is seen as it is now.
/// </summary>
internal sealed partial class NamespaceReader
{
    private readonly KubernetesClientFactory _clients;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger<NamespaceReader> _logger;

    public NamespaceReader(KubernetesClientFactory clients, IOptions<WebhookOptions> options, TimeProvider time, ILogger<NamespaceReader> logger)
    {
        _clients = clients;
        _timeout = options.Value.NamespaceReadTimeout;
        _time = time;
        _logger = logger;
    }

    /// <returns>The injection context with the namespace's metadata, or why it could not be read.</returns>
    public async Task<(InjectionContext? Context, string? Problem)> ReadAsync(string ns, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string problem;
        try
        {
            var found = await _clients.Shared.CoreV1.ReadNamespaceAsync(ns, cancellationToken: linked.Token);
            return (new InjectionContext(ns, Copy(found.Metadata?.Labels), Copy(found.Metadata?.Annotations)), null);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            problem = "the webhook may not get namespaces (the ClusterRole mirrord-webhook-namespaces in manifests/base/rbac-namespaces.yaml grants it)";
        }
        catch (HttpOperationException ex)
        {
            problem = $"the API server answered {(int)ex.Response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"the API server did not answer within {_timeout.TotalSeconds} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or k8s.Exceptions.KubeConfigException)
        {
            problem = ex.Message;
        }

        Log.NamespaceUnreadable(_logger, ns, problem);
        return (null, $"namespace {ns} could not be read ({problem}), so whether a service mesh injects it is unknown");
    }

    private static Dictionary<string, string> Copy(IDictionary<string, string>? map) => map is null ? [] : new(map, StringComparer.Ordinal);

    private static partial class Log
    {
        [LoggerMessage(EventId = WebhookEventIds.NamespaceUnreadable, EventName = "NamespaceUnreadable", Level = LogLevel.Warning,
            Message = "Could not read namespace {Namespace} ({Problem}); its pods are admitted without the sidecar until it can be read")]
        public static partial void NamespaceUnreadable(ILogger logger, string @namespace, string problem);
    }
}
