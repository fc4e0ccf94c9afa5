using System.Text.Json.Nodes;
using Mirrord.Injection;
using Mirrord.Testing.Mesh;

namespace Mirrord.EndToEnd.Tests.Mesh;

/// <summary>
/// One way a meshed pod comes to be: which mesh, whether its proxy is a native sidecar, whether its
/// redirect comes from a CNI plugin (before any init container) or its init container, and which
/// webhook ran first; or, with <see cref="RenderedBlind"/>, a manifest that <c>mirrord-cli inject</c>
/// rendered without the namespace's labels, joined by the mesh's injector and then seen by our
/// webhook. The pod spec is made by the real injector and the mesh's injector stand-in in that
/// order; the pod on this machine then runs exactly that spec.
/// </summary>
public sealed record MeshSetup(string Mesh, bool Native, bool Cni, bool MeshFirst, bool RenderedBlind = false)
{
    public override string ToString()
        => $"{Mesh} {(Native ? "native sidecar" : "classic sidecar")}{(Cni ? " with CNI" : string.Empty)}, "
           + (RenderedBlind ? "rendered without the namespace, then the mesh's webhook and ours" : MeshFirst ? "mesh's webhook first" : "ours first");

    public bool IsIstio => Mesh == "istio";

    /// <summary>The pod after both webhooks: an app container with the test app's ports and an HTTP readiness probe.</summary>
    public JsonObject BuildPod()
    {
        var pod = JsonNode.Parse("""
            {
              "apiVersion": "v1", "kind": "Pod",
              "metadata": { "name": "orders-7d9f-4kx2p", "namespace": "shop", "labels": { "app": "orders" } },
              "spec": {
                "initContainers": [ { "name": "migrate", "image": "shop/orders-migrate:1.4.2" } ],
                "containers": [ {
                  "name": "orders", "image": "shop/orders:1.4.2",
                  "ports": [ { "containerPort": 8080 }, { "containerPort": 9090 }, { "containerPort": 5432 } ],
                  "readinessProbe": { "httpGet": { "path": "/whoami", "port": 8080 } }
                } ]
              }
            }
            """)!.AsObject();
        if (RenderedBlind)
        {
            RunOurs(pod, new InjectionContext("shop", null));
            RunMeshInjector(pod);
            RunOurs(pod);
        }
        else if (MeshFirst)
        {
            RunMeshInjector(pod);
            RunOurs(pod);
        }
        else
        {
            RunOurs(pod);
            RunMeshInjector(pod);
        }

        return pod;
    }

    private void RunOurs(JsonObject pod, InjectionContext? rendering = null)
    {
        // The namespace as the webhook reads it: opted in to mirrord, and to the mesh.
        var context = rendering ?? (IsIstio
            ? new InjectionContext("shop", new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled", ["istio-injection"] = "enabled" })
            : new InjectionContext("shop", new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" }, new Dictionary<string, string> { ["linkerd.io/inject"] = "enabled" }));
        var result = new PodInjector(new InjectionOptions()).Inject(pod, context);
        if (result.Outcome != InjectionOutcome.Injected)
        {
            throw new InvalidOperationException($"{this}: the pod was not injected: {result.Reason}");
        }

        result.Patch.ApplyTo(pod);
    }

    private void RunMeshInjector(JsonObject pod)
    {
        if (IsIstio)
        {
            MeshInjectorStandIns.Istio(pod, Native, Cni);
        }
        else
        {
            MeshInjectorStandIns.Linkerd(pod, Native, Cni);
        }
    }
}
