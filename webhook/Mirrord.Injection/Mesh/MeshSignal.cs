namespace Mirrord.Injection.Mesh;

/// <summary>What one mesh's reader found in a pod and its namespace.</summary>
/// <param name="Kind">Which mesh.</param>
/// <param name="Present">The mesh's containers are in the spec already; otherwise its injector is expected to add them.</param>
/// <param name="Evidence">What shows it, for messages: "container istio-proxy", "namespace label istio-injection=enabled".</param>
/// <param name="ProxyUid">The uid the mesh proxy runs as.</param>
/// <param name="Capture">Which inbound ports the mesh captures.</param>
/// <param name="Unsupported">Set when the mesh runs in a mode mirrord cannot sit behind: why, and what to do.</param>
internal sealed record MeshSignal(MeshKind Kind, bool Present, string Evidence, int ProxyUid, InboundCapture Capture, string? Unsupported = null);
