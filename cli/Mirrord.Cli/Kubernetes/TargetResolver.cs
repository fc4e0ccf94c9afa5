using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Mirrord.Cli.Kubernetes;

/// <summary>Turns a target into the selector of its pods, reading the owner's <c>spec.selector</c>.</summary>
internal static class TargetResolver
{
    public static async Task<PodSelector> ResolveAsync(KubeContext kube, TargetReference target, CancellationToken cancellationToken)
    {
        var ns = kube.Namespace;
        try
        {
            return target.Kind switch
            {
                TargetKind.Pod => new PodSelector(null, $"metadata.name={target.Name}"),
                TargetKind.Deployment => FromSelector(target, (await kube.Client.AppsV1.ReadNamespacedDeploymentAsync(target.Name, ns, cancellationToken: cancellationToken)).Spec?.Selector),
                TargetKind.StatefulSet => FromSelector(target, (await kube.Client.AppsV1.ReadNamespacedStatefulSetAsync(target.Name, ns, cancellationToken: cancellationToken)).Spec?.Selector),
                TargetKind.ReplicaSet => FromSelector(target, (await kube.Client.AppsV1.ReadNamespacedReplicaSetAsync(target.Name, ns, cancellationToken: cancellationToken)).Spec?.Selector),
                TargetKind.Rollout => FromSelector(target, await ReadRolloutSelectorAsync(kube, target.Name, cancellationToken)),
                _ => throw new ArgumentOutOfRangeException(nameof(target)),
            };
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new KubernetesException(ExitCodes.TargetNotFound, $"{target} not found in namespace {ns} (context {kube.ContextName})", ex);
        }
        catch (HttpOperationException ex)
        {
            throw KubeErrors.From(ex, $"reading {target} in namespace {ns}");
        }
        catch (HttpRequestException ex)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"cannot reach the API server of context {kube.ContextName}: {ex.Message}", ex);
        }
    }

    private static async Task<V1LabelSelector?> ReadRolloutSelectorAsync(KubeContext kube, string name, CancellationToken cancellationToken)
    {
        var rollout = await kube.Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(
            "argoproj.io", "v1alpha1", kube.Namespace, "rollouts", name, cancellationToken);
        return rollout.TryGetProperty("spec", out var spec) && spec.TryGetProperty("selector", out var selector)
            ? KubernetesJson.Deserialize<V1LabelSelector>(selector.GetRawText())
            : null;
    }

    private static PodSelector FromSelector(TargetReference target, V1LabelSelector? selector)
    {
        var text = LabelSelectorText.From(selector);
        return string.IsNullOrEmpty(text)
            ? throw new KubernetesException(ExitCodes.TargetNotFound, $"{target} has no spec.selector; cannot tell which pods are its own")
            : new PodSelector(text, null);
    }
}
