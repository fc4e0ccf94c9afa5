namespace Mirrord.Injection.Containers;

/// <summary>Which probes the injected sidecar carries.</summary>
internal enum SidecarProbes
{
    /// <summary>
    /// Startup, readiness and liveness, all on the health port, which kubelet reaches directly
    /// (behind a mesh, mirrord-init keeps that port out of the mesh's capture).
    /// </summary>
    All,

    /// <summary>
    /// Readiness only, for pods Istio will inject after us. Istio's injector points every probe it
    /// finds at its agent on 15020 (pkg/kube/inject/app_probe.go); in its classic mode the agent
    /// runs in a regular container, which starts after every init container, our native sidecar
    /// included. A startup probe would then hold the pod forever, and a liveness probe restart the
    /// sidecar while the app's init containers run; a readiness probe only holds readiness, which
    /// the app's own probes hold until the agent runs anyway.
    /// </summary>
    ReadinessOnly,
}
