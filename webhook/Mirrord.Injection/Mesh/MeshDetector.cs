using System.Text.Json.Nodes;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// Which mesh a pod has or will get, from whatever shows it, in any webhook order: the mesh's
/// containers already in the spec (its injector ran first, or a rendered manifest carries them),
/// or the pod and namespace labels and annotations its injector acts on (it runs after ours).
/// </summary>
internal static class MeshDetector
{
    /// <returns>The profile, or why mirrord must not be injected beside this pod's mesh (and what to do).</returns>
    public static (MeshProfile Profile, string? Unsupported) Detect(JsonObject pod, InjectionContext context)
    {
        if (MeshContainers.Unsupported(pod) is { } foreign)
        {
            return (MeshProfile.None, $"the pod carries {foreign.Container} of {foreign.Mesh}, a service mesh mirrord cannot sit behind yet (docs/MESH.md lists the ones it can)");
        }

        var istio = IstioSignals.Read(pod, context);
        var linkerd = LinkerdSignals.Read(pod, context);
        if (istio is not null && linkerd is not null)
        {
            return (MeshProfile.None, $"the pod is in two service meshes ({istio.Evidence}; {linkerd.Evidence}), and one proxy in front of the app is all mirrord can sit behind");
        }

        return (istio ?? linkerd) switch
        {
            null => (MeshProfile.None, null),
            { Unsupported: { } reason } signal => (MeshProfile.None, $"{reason} ({signal.Evidence})"),
            var signal => (MeshProfile.From(signal), null),
        };
    }
}
