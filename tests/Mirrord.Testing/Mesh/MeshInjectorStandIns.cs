using System.Text.Json.Nodes;

namespace Mirrord.Testing.Mesh;

/// <summary>
/// STAND-INS for the meshes' own injectors, doing to a pod what they do to the containers around
/// theirs (the containers they add are cut down to what matters here: names, arguments, ports,
/// probes, uids). Read from their sources, cited at each step; used to put ours and theirs in
/// either order.
/// </summary>
public static class MeshInjectorStandIns
{
    /// <summary>Istio's sidecar injector (pkg/kube/inject/webhook.go, inject.go, app_probe.go); with istio-cni it adds istio-validation instead of istio-init.</summary>
    public static void Istio(JsonObject pod, bool native, bool cni = false)
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

        // DumpAppProbers, then patchRewriteProbe: every container's and init container's httpGet probe but
        // istio-proxy's is recorded for pilot-agent and pointed at it (tcpSocket and grpc ones too; not used here).
        var probers = new JsonObject();
        foreach (var container in inits.Concat(containers).Select(c => c!.AsObject()))
        {
            var name = container["name"]!.GetValue<string>();
            foreach (var (probe, suffix) in s_probes)
            {
                if (container[probe] is JsonObject existing && existing["httpGet"] is JsonObject httpGet && httpGet["port"]?.GetValue<int>() != 15020)
                {
                    probers[$"/app-health/{name}/{suffix}"] = new JsonObject { ["httpGet"] = httpGet.DeepClone() };
                    existing["httpGet"] = new JsonObject { ["path"] = $"/app-health/{name}/{suffix}", ["port"] = 15020 };
                }
            }
        }

        var init = new JsonObject
        {
            ["name"] = cni ? "istio-validation" : "istio-init",
            ["args"] = new JsonArray("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"),
        };
        if (cni)
        {
            init["args"]!.AsArray().Add("--run-validation");
            init["args"]!.AsArray().Add("--skip-rule-apply");
        }
        var proxy = new JsonObject
        {
            ["name"] = "istio-proxy",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 15090, ["name"] = "http-envoy-prom", ["protocol"] = "TCP" }),
            ["env"] = new JsonArray(new JsonObject { ["name"] = "ISTIO_KUBE_APP_PROBERS", ["value"] = probers.ToJsonString() }),
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

        // reorderPod: native sidecars put istio-init (or istio-validation), then istio-proxy, first; otherwise
        // istio-validation goes first and istio-init last.
        var list = inits.Select(c => c!.AsObject()).ToList();
        var initName = init["name"]!.GetValue<string>();
        var rest = list.Where(c => !Named(c, initName) && !Named(c, "istio-proxy")).ToList();
        List<JsonObject> ordered = native ? [init, proxy, .. rest] : cni ? [init, .. rest] : [.. rest, init];
        Replace(inits, ordered);
        annotations["sidecar.istio.io/status"] = native
            ? $$"""{"initContainers":["{{initName}}","istio-proxy"]}"""
            : $$"""{"initContainers":["{{initName}}"],"containers":["istio-proxy"]}""";
    }

    /// <summary>Linkerd's proxy injector (charts/patch/templates/patch.json); with linkerd-cni it adds linkerd-network-validator instead of linkerd-init.</summary>
    public static void Linkerd(JsonObject pod, bool native, bool cni = false)
    {
        var spec = pod["spec"]!.AsObject();
        var annotations = (pod["metadata"]!.AsObject()["annotations"] ??= new JsonObject()).AsObject();
        if (annotations.ContainsKey("linkerd.io/proxy-version"))
        {
            return;
        }

        var inits = (spec["initContainers"] ??= new JsonArray()).AsArray();
        var init = cni
            ? new JsonObject { ["name"] = "linkerd-network-validator", ["args"] = new JsonArray("--connect-addr", "1.1.1.1:20001", "--listen-addr", "0.0.0.0:4140") }
            : new JsonObject
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

    private static readonly (string Probe, string Suffix)[] s_probes = [("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz")];

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
