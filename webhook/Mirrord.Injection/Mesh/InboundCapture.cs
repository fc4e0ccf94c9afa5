namespace Mirrord.Injection.Mesh;

/// <summary>
/// Which inbound ports a mesh redirects to its proxy: every port but some (Istio's
/// <c>includeInboundPorts: "*"</c> with <c>excludeInboundPorts</c>, Linkerd's skip list) or only
/// listed ones. A port the mesh does not capture reaches the app as if there were no mesh.
/// </summary>
internal sealed record InboundCapture(bool AllBut, PortSet Ports)
{
    public static InboundCapture Everything { get; } = new(true, PortSet.Empty);

    public static InboundCapture Nothing { get; } = new(false, PortSet.Empty);

    public bool Captures(int port) => AllBut ? !Ports.Contains(port) : Ports.Contains(port);
}
