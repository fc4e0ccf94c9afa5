using Mirrord.Tunnel;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// The mesh a pod has or will get, as far as injection is concerned: which mesh, whether its
/// containers are there yet, its proxy's uid and which inbound ports it captures.
/// </summary>
public sealed class MeshProfile
{
    private readonly InboundCapture _capture;

    internal MeshProfile(MeshKind kind, bool present, string evidence, int proxyUid, InboundCapture capture)
    {
        Kind = kind;
        Present = present;
        Evidence = evidence;
        ProxyUid = proxyUid;
        _capture = capture;
    }

    public static MeshProfile None { get; } = new(MeshKind.None, false, "no service mesh", 0, InboundCapture.Nothing);

    public MeshKind Kind { get; }

    /// <summary>The mesh's containers are in the pod spec already (its injector ran first, or a rendered manifest carries them).</summary>
    public bool Present { get; }

    public string Evidence { get; }

    public int ProxyUid { get; }

    public RedirectMode RedirectMode => Kind switch
    {
        MeshKind.Istio => RedirectMode.BehindIstio,
        MeshKind.Linkerd => RedirectMode.BehindLinkerd,
        _ => RedirectMode.Prerouting,
    };

    /// <summary>True when connections to <paramref name="port"/> go through the mesh proxy.</summary>
    public bool Captures(int port) => _capture.Captures(port);

    /// <summary>What mirrord-init installs for these intercepted ports in a pod with this mesh (or none).</summary>
    public RedirectSpec Redirect(IReadOnlyList<int> ports, int inboundPort) => Kind == MeshKind.None
        ? new RedirectSpec(ports, inboundPort)
        : new RedirectSpec(ports, inboundPort, RedirectMode, ProxyUid, [.. ports.Where(p => !Captures(p))], SidecarPorts.Health);

    internal static MeshProfile From(MeshSignal signal) => new(signal.Kind, signal.Present, signal.Evidence, signal.ProxyUid, signal.Capture);
}
