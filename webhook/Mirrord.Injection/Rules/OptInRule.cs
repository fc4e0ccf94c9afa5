using System.Text.Json.Nodes;

namespace Mirrord.Injection.Rules;

/// <summary>
/// Whether a pod asked for the sidecar. An explicit pod annotation wins (<c>"false"</c> even in an
/// opted-in namespace); then the namespace label; never hostNetwork pods, kube-system or the
/// webhook's own namespace.
/// </summary>
internal static class OptInRule
{
    public static (bool Inject, string Reason, string? Error) Decide(JsonObject pod, InjectionContext context, InjectionOptions options)
    {
        if (context.Namespace == "kube-system")
        {
            return (false, "pods in kube-system are never injected", null);
        }

        if (options.OwnNamespace is { Length: > 0 } own && context.Namespace == own)
        {
            return (false, $"pods in the webhook's own namespace {own} are never injected", null);
        }

        if (PodJson.Field(PodJson.Field(pod, "spec"), "hostNetwork")?.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            return (false, "hostNetwork pods share the node's network and are never injected", null);
        }

        var annotation = PodJson.Annotation(pod, PodAnnotations.Inject);
        switch (annotation)
        {
            case "true":
                return (true, $"the pod has {PodAnnotations.Inject}: \"true\"", null);
            case "false":
                return (false, $"the pod opts out with {PodAnnotations.Inject}: \"false\"", null);
            case not null:
                return (false, string.Empty, $"annotation {PodAnnotations.Inject}: \"{annotation}\" must be \"true\" or \"false\"");
        }

        if (context.NamespaceLabels is null)
        {
            // The webhook's namespaceSelector only lets pods of opted-in namespaces reach it without the annotation.
            return (true, $"namespace {context.Namespace} is opted in", null);
        }

        return context.NamespaceLabels.TryGetValue(PodAnnotations.NamespaceInjection, out var label) switch
        {
            true when label == "enabled" => (true, $"namespace {context.Namespace} is labelled {PodAnnotations.NamespaceInjection}=enabled", null),
            true when label == "disabled" => (false, $"namespace {context.Namespace} is labelled {PodAnnotations.NamespaceInjection}=disabled", null),
            true => (false, $"namespace label {PodAnnotations.NamespaceInjection}={label} is neither enabled nor disabled", null),
            false => (false, $"neither the pod ({PodAnnotations.Inject}) nor namespace {context.Namespace} ({PodAnnotations.NamespaceInjection}) opts in", null),
        };
    }
}
