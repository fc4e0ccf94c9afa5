using System.Text.Json.Nodes;

namespace Mirrord.Injection.Mesh.Tests;

/// <summary>
/// STAND-INS for the meshes' own injectors, doing to a pod what they do to the containers around
/// theirs (the containers they add are cut down to what matters here: names, arguments, ports,
/// probes, uids). Read from their sources, cited at each step; used to put ours and theirs in
/// either order.
/// </summary>
internal static class MeshInjectorStandIns
{
    /// <summary>Istio's sidecar injector (pkg/kube/inject/webhook.go, inject.go, app_probe.go).</summary>
    public static void Istio(JsonObject pod, bool native)
    {
        var spec = pod["spec"]!.AsObject();
        var metadata = pod["metadata"]!.AsObject();
        var annotations = (metadata["annotations"] ??= new JsonObject()).AsObject();
        if (annotations.ContainsKey("sidecar.istio.io/status"))
        {
            // injectRequired: a pod that carries the status annotation is never injected twice.
            return;
        }

        var inits = (spec["initContainers"] ??= new JsonArray()).AsArray();
        var containers = spec["containers"]!.AsArray();

        // patchRewriteProbe: every container's and init container's httpGet, tcpSocket and grpc probes but istio-proxy's.
        foreach (var container in inits.Concat(containers).Select(c => c!.AsObject()))
        {
            var name = container["name"]!.GetValue<string>();
            foreach (var (probe, suffix) in new[] { ("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz") })
            {
                if (container[probe] is JsonObject existing && (existing.ContainsKey("httpGet") || existing.ContainsKey("tcpSocket") || existing.ContainsKey("grpc")))
                {
                    existing.Remove("tcpSocket");
                    existing.Remove("grpc");
                    existing["httpGet"] = new JsonObject { ["path"] = $"/app-health/{name}/{suffix}", ["port"] = 15020 };
                }
            }
        }

        var init = new JsonObject
        {
            ["name"] = "istio-init",
            ["args"] = new JsonArray("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"),
        };
        var proxy = new JsonObject
        {
            ["name"] = "istio-proxy",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 15090, ["name"] = "http-envoy-prom", ["protocol"] = "TCP" }),
            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/healthz/ready", ["port"] = 15021 } },
            ["securityContext"] = new JsonObject { ["runAsUser"] = 1337, ["runAsGroup"] = 1337 },
        };
        inits.Add(init);
        if (native)
        {
            proxy["restartPolicy"] = "Always";
            inits.Add(proxy);
        }
        else
        {
            containers.Add(proxy);
        }

        // reorderPod: native sidecars put istio-init, then istio-proxy, first; otherwise istio-init goes last.
        var list = inits.Select(c => c!.AsObject()).ToList();
        var ordered = native
            ? [.. list.Where(c => Named(c, "istio-init")), .. list.Where(c => Named(c, "istio-proxy")), .. list.Where(c => !Named(c, "istio-init") && !Named(c, "istio-proxy"))]
            : list.Where(c => !Named(c, "istio-init")).Append(list.Single(c => Named(c, "istio-init"))).ToList();
        Replace(inits, ordered);
        annotations["sidecar.istio.io/status"] = native ? """{"initContainers":["istio-init","istio-proxy"]}""" : """{"initContainers":["istio-init"],"containers":["istio-proxy"]}""";
    }

    /// <summary>Linkerd's proxy injector (charts/patch/templates/patch.json).</summary>
    public static void Linkerd(JsonObject pod, bool native)
    {
        var spec = pod["spec"]!.AsObject();
        var annotations = (pod["metadata"]!.AsObject()["annotations"] ??= new JsonObject()).AsObject();
        if (annotations.ContainsKey("linkerd.io/proxy-version"))
        {
            return;
        }

        var inits = (spec["initContainers"] ??= new JsonArray()).AsArray();
        var init = new JsonObject
        {
            ["name"] = "linkerd-init",
            ["args"] = new JsonArray("--incoming-proxy-port", "4143", "--outgoing-proxy-port", "4140", "--proxy-uid", "2102", "--inbound-ports-to-ignore", "4190,4191,4567,4568"),
        };
        var proxy = new JsonObject
        {
            ["name"] = "linkerd-proxy",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 4143, ["name"] = "linkerd-proxy" }, new JsonObject { ["containerPort"] = 4191, ["name"] = "linkerd-admin" }),
            ["securityContext"] = new JsonObject { ["runAsUser"] = 2102 },
        };

        // $initIndex: "0" with native sidecars (proxy-init, then the proxy, first), "-" (appended) without.
        if (native)
        {
            proxy["restartPolicy"] = "Always";
            inits.Insert(0, init);
            inits.Insert(1, proxy);
        }
        else
        {
            inits.Add(init);
            spec["containers"]!.AsArray().Add(proxy);
        }

        annotations["linkerd.io/proxy-version"] = "edge-25.9.1";
    }

    private static bool Named(JsonObject container, string name) => container["name"]!.GetValue<string>() == name;

    private static void Replace(JsonArray array, List<JsonObject> items)
    {
        array.Clear();
        foreach (var item in items)
        {
            array.Add(item);
        }
    }
}
