using System.Globalization;
using System.Text.Json.Nodes;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// Linkerd in a pod: its containers when its injector has run, else <c>linkerd.io/inject</c> on the
/// pod or its namespace (the pod's wins), the proxy's uid and the inbound ports proxy-init skips
/// (linkerd2-proxy-init pkg/iptables/iptables.go; the injector always skips the proxy's own 4190, 4191).
/// </summary>
internal static class LinkerdSignals
{
    /// <summary>The uid linkerd-proxy runs as unless configured otherwise (charts: proxy.uid).</summary>
    public const int DefaultProxyUid = 2102;

    private const string ProxyPorts = "4190,4191";

    public static MeshSignal? Read(JsonObject pod, InjectionContext context)
    {
        var present = MeshContainers.Injected(pod, "linkerd-proxy", ["linkerd-init", "linkerd-network-validator"], "linkerd.io/proxy-version");
        if ((present?.Evidence ?? Expected(pod, context)) is not { } evidence)
        {
            return null;
        }

        var (proxy, init) = (present?.Proxy, present?.Init);
        var args = init is null ? [] : PodJson.Arguments(init);
        var uidText = MeshContainers.Flag(args, "-u", "--proxy-uid") ?? Config(pod, context, "config.linkerd.io/proxy-uid");
        var uid = MeshContainers.RunAsUser(pod, proxy)
            ?? (int.TryParse(uidText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultProxyUid);

        // linkerd-init's own arguments say exactly what it skips; before injection the annotation says what they will be.
        var skipped = MeshContainers.Flag(args, "--inbound-ports-to-ignore") is { } ignored
            ? PortSet.Parse(ignored)
            : PortSet.Parse(Config(pod, context, "config.linkerd.io/skip-inbound-ports")).Union(PortSet.Parse(ProxyPorts));
        return new MeshSignal(MeshKind.Linkerd, present is not null, evidence, uid, new InboundCapture(true, skipped));
    }

    private static string? Expected(JsonObject pod, InjectionContext context)
    {
        var own = PodJson.Annotation(pod, "linkerd.io/inject");
        if (own is not null)
        {
            return own is "enabled" or "ingress" ? $"pod annotation linkerd.io/inject={own}" : null;
        }

        return context.NamespaceAnnotation("linkerd.io/inject") is "enabled" or "ingress"
            ? $"namespace annotation linkerd.io/inject={context.NamespaceAnnotation("linkerd.io/inject")}"
            : null;
    }

    /// <summary>A <c>config.linkerd.io/*</c> setting: the pod's annotation, else the namespace's, as Linkerd's injector reads them.</summary>
    private static string? Config(JsonObject pod, InjectionContext context, string name) => PodJson.Annotation(pod, name) ?? context.NamespaceAnnotation(name);
}
