using System.Globalization;
using System.Text.Json.Nodes;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// Istio in a pod: its containers when its injector has run, else the labels its webhook selects
/// on (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml), the
/// interception mode, and which inbound ports istio-iptables captures (tools/istio-iptables/pkg/capture/run.go).
/// </summary>
internal static class IstioSignals
{
    /// <summary>istio-iptables' default proxy uid (tools/istio-iptables/pkg/constants/constants.go, DefaultProxyUID).</summary>
    public const int DefaultProxyUid = 1337;

    public static MeshSignal? Read(JsonObject pod, InjectionContext context)
    {
        var present = MeshContainers.Injected(pod, "istio-proxy", ["istio-init", "istio-validation"], "sidecar.istio.io/status");
        if ((present?.Evidence ?? Expected(pod, context)) is not { } evidence)
        {
            return Ambient(pod, context);
        }

        var (proxy, init) = (present?.Proxy, present?.Init);
        var args = init is null ? [] : PodJson.Arguments(init);
        var mode = MeshContainers.Flag(args, "-m", "--istio-inbound-interception-mode") ?? PodJson.Annotation(pod, "sidecar.istio.io/interceptionMode") ?? "REDIRECT";
        var uid = MeshContainers.RunAsUser(pod, proxy)
            ?? (int.TryParse(MeshContainers.Flag(args, "-u", "--proxy-uid"), NumberStyles.None, CultureInfo.InvariantCulture, out var fromArgs) ? fromArgs : DefaultProxyUid);
        var unsupported = mode == "TPROXY"
            ? "Istio's TPROXY interception mode (sidecar.istio.io/interceptionMode: TPROXY) hands the app connections from the caller's own address, " +
              "which mirrord's redirect cannot tell from others; use REDIRECT (the default) for pods you debug with mirrord"
            : null;

        // NONE: Istio installs no redirect at all, so every port reaches the app as without a mesh.
        var capture = mode == "NONE" ? InboundCapture.Nothing : Capture(pod, args);
        return new MeshSignal(MeshKind.Istio, present is not null, evidence, uid, capture, unsupported);
    }

    /// <summary>The label or annotation that makes Istio's webhook inject this pod, mirroring its selectors; null when it will not.</summary>
    private static string? Expected(JsonObject pod, InjectionContext context)
    {
        var label = PodJson.Label(pod, "sidecar.istio.io/inject");
        var annotation = PodJson.Annotation(pod, "sidecar.istio.io/inject");
        if (label == "false" || annotation == "false")
        {
            return null;
        }

        var namespaceInjection = context.NamespaceLabel("istio-injection");
        if (namespaceInjection == "disabled")
        {
            // Every object-level selector of Istio's webhook requires the namespace label to be absent.
            return null;
        }

        if (namespaceInjection == "enabled")
        {
            return "namespace label istio-injection=enabled";
        }

        if (context.NamespaceLabel("istio.io/rev") is { } namespaceRevision)
        {
            return $"namespace label istio.io/rev={namespaceRevision}";
        }

        if (PodJson.Label(pod, "istio.io/rev") is { } revision)
        {
            return $"pod label istio.io/rev={revision}";
        }

        // The annotation is deprecated in favour of the label, but Istio's injector still honours it.
        return label == "true" ? "pod label sidecar.istio.io/inject=true"
            : annotation == "true" ? "pod annotation sidecar.istio.io/inject=true"
            : null;
    }

    /// <summary>
    /// Ambient mode: ztunnel's redirect lives in the pod's network namespace (istio-cni,
    /// cni/pkg/util/podutil.go), with no proxy of the pod's own to sit behind.
    /// </summary>
    private static MeshSignal? Ambient(JsonObject pod, InjectionContext context)
    {
        var podMode = PodJson.Label(pod, "istio.io/dataplane-mode");
        var evidence = PodJson.Annotation(pod, "ambient.istio.io/redirection") is { } redirection ? $"annotation ambient.istio.io/redirection={redirection}"
            : podMode == "ambient" ? "pod label istio.io/dataplane-mode=ambient"
            : context.NamespaceLabel("istio.io/dataplane-mode") == "ambient" && podMode != "none" ? "namespace label istio.io/dataplane-mode=ambient"
            : null;
        return evidence is null
            ? null
            : new MeshSignal(MeshKind.Istio, false, evidence, DefaultProxyUid, InboundCapture.Everything,
                "Istio's ambient mode redirects the pod's traffic to ztunnel inside the pod's own network namespace, and mirrord cannot sit behind it; " +
                "to debug this workload, label its pods istio.io/dataplane-mode=none (out of ambient) or use sidecar mode (istio-injection=enabled)");
    }

    private static InboundCapture Capture(JsonObject pod, IReadOnlyList<string> args)
    {
        var include = MeshContainers.Flag(args, "-b", "--istio-inbound-ports") ?? PodJson.Annotation(pod, "traffic.sidecar.istio.io/includeInboundPorts") ?? "*";
        var exclude = MeshContainers.Flag(args, "-d", "--istio-local-exclude-ports") ?? PodJson.Annotation(pod, "traffic.sidecar.istio.io/excludeInboundPorts");

        // With an explicit list, istio-iptables redirects only those ports and ignores the exclusions.
        return include.Trim() == "*" ? new InboundCapture(true, PortSet.Parse(exclude)) : new InboundCapture(false, PortSet.Parse(include));
    }
}
