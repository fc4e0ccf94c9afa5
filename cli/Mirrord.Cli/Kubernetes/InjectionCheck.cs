using k8s.Models;
using Mirrord.Injection;

namespace Mirrord.Cli.Kubernetes;

/// <summary>Reads what the webhook recorded on a pod, and says how to opt in when it recorded nothing.</summary>
internal static class InjectionCheck
{
    public static InjectionStatus? StatusOf(V1Pod pod, out string? problem)
    {
        string? value = null;
        pod.Metadata?.Annotations?.TryGetValue(PodAnnotations.Status, out value);
        return InjectionStatus.TryParse(value, out var status, out problem) ? status : null;
    }

    public static string HowToOptIn(TargetReference target, string @namespace)
        => $"opt in with `kubectl label namespace {@namespace} {PodAnnotations.NamespaceInjection}=enabled` " +
           $"(or the pod template annotation {PodAnnotations.Inject}: \"true\"), then roll the pods: " +
           (target.Kind == TargetKind.Pod
               ? $"delete pod {target.Name} so its owner recreates it"
               : $"`kubectl rollout restart {target} -n {@namespace}`");
}
