namespace Mirrord.Injection;

/// <summary>Where the pod is being admitted: its namespace (from the request when the pod has none) and, when known, the namespace's labels and annotations.</summary>
/// <param name="Namespace">The pod's namespace: the request's, since pods created by controllers carry none of their own.</param>
/// <param name="NamespaceLabels">
/// The webhook reads them from the API server; <c>inject</c> and <c>check-inject</c> take them from
/// <c>--namespace-labels</c> or a Namespace document in their input. Null when unknown: the pod is
/// then taken as opted in by its namespace, and no namespace-wide mesh injection can be seen.
/// </param>
/// <param name="NamespaceAnnotations">
/// Linkerd opts a whole namespace in with an annotation (<c>linkerd.io/inject</c>), not a label.
/// </param>
public sealed record InjectionContext(
    string Namespace,
    IReadOnlyDictionary<string, string>? NamespaceLabels,
    IReadOnlyDictionary<string, string>? NamespaceAnnotations = null)
{
    public string? NamespaceLabel(string name) => NamespaceLabels?.GetValueOrDefault(name);

    public string? NamespaceAnnotation(string name) => NamespaceAnnotations?.GetValueOrDefault(name);
}
