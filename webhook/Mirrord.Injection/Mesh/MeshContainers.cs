using System.Text.Json.Nodes;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// The containers service meshes inject, by name (Istio: pkg/kube/inject/inject.go and webhook.go;
/// Linkerd: charts/partials). Their ports are the mesh's, never the app's; and the meshes whose
/// redirect mirrord cannot yet sit behind are recognised by theirs, so such pods are left alone.
/// </summary>
internal static class MeshContainers
{
    private static readonly HashSet<string> s_supported = new(StringComparer.Ordinal)
    {
        "istio-init", "istio-validation", "istio-proxy", "enable-core-dump",
        "linkerd-init", "linkerd-network-validator", "linkerd-proxy", "linkerd-debug",
    };

    private static readonly (string Container, string Mesh)[] s_unsupported =
    [
        ("kuma-init", "Kuma"), ("kuma-sidecar", "Kuma"),
        ("consul-connect-inject-init", "Consul"), ("consul-dataplane", "Consul"),
        ("osm-init", "Open Service Mesh"),
    ];

    public static bool IsMeshContainer(JsonObject container) => PodJson.String(container["name"]) is { } name && s_supported.Contains(name);

    public static JsonObject? Find(JsonObject pod, string name)
        => PodJson.Containers(pod, "initContainers").Concat(PodJson.Containers(pod, "containers")).FirstOrDefault(c => PodJson.String(c["name"]) == name);

    public static JsonObject? FindInit(JsonObject pod, params string[] names)
        => PodJson.Containers(pod, "initContainers").FirstOrDefault(c => PodJson.String(c["name"]) is { } name && names.Contains(name));

    /// <summary>What a mesh's injector left in the pod: its proxy, its init step, or its status annotation; null when none is there.</summary>
    public static (string Evidence, JsonObject? Proxy, JsonObject? Init)? Injected(JsonObject pod, string proxyName, string[] initNames, string statusAnnotation)
    {
        var init = FindInit(pod, initNames);
        var proxy = Find(pod, proxyName);
        var evidence = proxy is not null ? $"container {proxyName}"
            : init is not null ? $"init container {PodJson.String(init["name"])}"
            : PodJson.Annotation(pod, statusAnnotation) is not null ? $"annotation {statusAnnotation}"
            : null;
        return evidence is null ? null : (evidence, proxy, init);
    }

    /// <summary>A container of a mesh mirrord does not sit behind, with the mesh's name.</summary>
    public static (string Container, string Mesh)? Unsupported(JsonObject pod)
    {
        foreach (var container in PodJson.Containers(pod, "initContainers").Concat(PodJson.Containers(pod, "containers")))
        {
            var name = PodJson.String(container["name"]);
            foreach (var (known, mesh) in s_unsupported)
            {
                if (name == known)
                {
                    return (known, mesh);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// How many init containers at the head of the list a mesh keeps ahead of everything else, which
    /// is where its injector puts them when it runs after ours: Istio's istio-validation always, and
    /// with native sidecars its init step and proxy too (pkg/kube/inject/webhook.go, reorderPod);
    /// Linkerd's only with native sidecars (charts/patch/templates/patch.json inserts at 0 then,
    /// and appends otherwise). In their classic modes the meshes' init steps go last.
    /// </summary>
    public static int LeadingInitContainers(JsonObject pod)
    {
        var inits = PodJson.Containers(pod, "initContainers").Select(c => PodJson.String(c["name"])).ToList();
        var nativeIstio = inits.Contains("istio-proxy");
        var nativeLinkerd = inits.Contains("linkerd-proxy");
        return inits.TakeWhile(name => name == "istio-validation"
            || (nativeIstio && name is "istio-init" or "istio-proxy" or "enable-core-dump")
            || (nativeLinkerd && name is "linkerd-init" or "linkerd-network-validator" or "linkerd-proxy")).Count();
    }

    /// <summary>The uid a container runs as: its own securityContext, else the pod's.</summary>
    public static int? RunAsUser(JsonObject pod, JsonObject? container)
        => PodJson.Int(PodJson.Field(container?["securityContext"], "runAsUser"))
           ?? PodJson.Int(PodJson.Field(PodJson.Field(PodJson.Field(pod, "spec"), "securityContext"), "runAsUser"));

    /// <summary>The value of a flag in a container's arguments, as <c>-b X</c>, <c>--long X</c> or <c>--long=X</c>.</summary>
    public static string? Flag(IReadOnlyList<string> args, params string[] names)
    {
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var name in names)
            {
                if (args[i] == name && i + 1 < args.Count)
                {
                    return args[i + 1];
                }

                if (name.StartsWith("--", StringComparison.Ordinal) && args[i].StartsWith(name + "=", StringComparison.Ordinal))
                {
                    return args[i][(name.Length + 1)..];
                }
            }
        }

        return null;
    }
}
