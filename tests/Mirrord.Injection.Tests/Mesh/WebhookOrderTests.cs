using System.Text.Json.Nodes;
using Mirrord.Testing.Mesh;
using Mirrord.Tunnel;

namespace Mirrord.Injection.Mesh.Tests;

/// <summary>
/// The API server calls mutating webhooks in an order of their configurations' names, and calls ours
/// again when a later one changes the pod (reinvocationPolicy: IfNeeded): a mesh's injector may run
/// before ours or after it. Either way the pod must come out the same, with our redirect behind the mesh.
/// </summary>
public sealed class WebhookOrderTests
{
    private static readonly PodInjector s_injector = new(new InjectionOptions { SidecarImage = "registry.example/mirrord/sidecar:0.1.0" });

    public static TheoryData<string, bool, bool, bool> Orders()
    {
        var data = new TheoryData<string, bool, bool, bool>();
        foreach (var mesh in new[] { "istio", "linkerd" })
        {
            foreach (var native in new[] { true, false })
            {
                foreach (var cni in new[] { true, false })
                {
                    data.Add(mesh, native, cni, true);
                    data.Add(mesh, native, cni, false);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void EitherWebhookOrder_GivesTheSameContainersAndRedirect(string mesh, bool native, bool cni, bool appInit)
    {
        var context = Context(mesh);

        var meshFirst = Pod(appInit);
        RunMesh(meshFirst, mesh, native, cni);
        RunOurs(meshFirst, context);

        var oursFirst = Pod(appInit);
        RunOurs(oursFirst, context);
        RunMesh(oursFirst, mesh, native, cni);

        Assert.Equal(InitNames(meshFirst), InitNames(oursFirst));
        Assert.Equal(InitArgs(meshFirst), InitArgs(oursFirst));
        Assert.Equal(meshFirst["metadata"]!["annotations"]![PodAnnotations.Status]!.GetValue<string>(), oursFirst["metadata"]!["annotations"]![PodAnnotations.Status]!.GetValue<string>());
        Assert.Contains($"--behind {mesh}", string.Join(' ', InitArgs(oursFirst)), StringComparison.Ordinal);
        Assert.True(s_injector.Inject(oursFirst, context).Patch.IsEmpty, "a reinvocation after the mesh's injector must change nothing");
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void SidecarProbes_NeverWaitForAMeshProxyThatStartsAfterThem(string mesh, bool native, bool cni, bool appInit)
    {
        var context = Context(mesh);
        foreach (var meshRunsFirst in new[] { true, false })
        {
            var pod = Pod(appInit);
            if (meshRunsFirst)
            {
                RunMesh(pod, mesh, native, cni);
            }

            RunOurs(pod, context);
            if (!meshRunsFirst)
            {
                RunMesh(pod, mesh, native, cni);
            }

            var sidecar = pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == PodAnnotations.SidecarContainer)!;
            var probePorts = new[] { "startupProbe", "readinessProbe", "livenessProbe" }
                .Where(p => sidecar[p] is not null)
                .ToDictionary(p => p, p => sidecar[p]!["httpGet"]!["port"]!.GetValue<int>());

            // A startup probe through Istio's agent (15020) would wait for istio-proxy, which in classic mode starts after us.
            if (probePorts.TryGetValue("startupProbe", out var startupPort))
            {
                Assert.Equal(SidecarPorts.Health, startupPort);
            }

            Assert.True(probePorts.ContainsKey("readinessProbe"));
        }
    }

    private static InjectionContext Context(string mesh) => mesh == "istio"
        ? new InjectionContext("shop", new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled", ["istio-injection"] = "enabled" })
        : new InjectionContext("shop", new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" }, new Dictionary<string, string> { ["linkerd.io/inject"] = "enabled" });

    private static JsonObject Pod(bool appInit)
    {
        var pod = JsonNode.Parse("""
            {
              "apiVersion": "v1", "kind": "Pod",
              "metadata": { "generateName": "orders-7d9f-", "labels": { "app": "orders" } },
              "spec": {
                "containers": [ { "name": "orders", "image": "shop/orders:1.4.2", "ports": [ { "containerPort": 8080 } ],
                                  "readinessProbe": { "httpGet": { "path": "/health/ready", "port": 8080 } } } ]
              }
            }
            """)!.AsObject();
        if (appInit)
        {
            pod["spec"]!["initContainers"] = new JsonArray(new JsonObject { ["name"] = "migrate", ["image"] = "shop/orders-migrate:1.4.2" });
        }

        return pod;
    }

    private static void RunOurs(JsonObject pod, InjectionContext context)
    {
        var result = s_injector.Inject(pod, context);
        Assert.Equal(InjectionOutcome.Injected, result.Outcome);
        result.Patch.ApplyTo(pod);
    }

    private static void RunMesh(JsonObject pod, string mesh, bool native, bool cni)
    {
        if (mesh == "istio")
        {
            MeshInjectorStandIns.Istio(pod, native, cni);
        }
        else
        {
            MeshInjectorStandIns.Linkerd(pod, native, cni);
        }
    }

    private static string[] InitNames(JsonObject pod) => [.. pod["spec"]!["initContainers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())];

    private static string[] InitArgs(JsonObject pod)
        => [.. pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == PodAnnotations.InitContainer)!["args"]!.AsArray().Select(a => a!.GetValue<string>())];
}
