namespace Mirrord.Injection.Mesh;

/// <summary>The service mesh whose proxy sits in front of the app in a pod, if any.</summary>
public enum MeshKind
{
    None,
    Istio,
    Linkerd,
}
