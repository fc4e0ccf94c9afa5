namespace Mirrord.Injection;

/// <summary>Where the pod is being admitted: its namespace (from the request when the pod has none) and, when known, the namespace's labels.</summary>
/// <param name="Namespace">The pod's namespace: the request's, since pods created by controllers carry none of their own.</param>
/// <param name="NamespaceLabels">
/// Null in the webhook, which sees only pods its configuration's selectors let through (an opted-in
/// namespace or an annotated pod); given by <c>check-inject --namespace-labels</c> and <c>inject</c>.
/// </param>
public sealed record InjectionContext(string Namespace, IReadOnlyDictionary<string, string>? NamespaceLabels);
