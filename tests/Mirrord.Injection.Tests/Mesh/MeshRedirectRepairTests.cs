using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Mirrord.Testing.Mesh;
using Mirrord.Tunnel;

namespace Mirrord.Injection.Mesh.Tests;

/// <summary>
/// A pod injected for no mesh (a manifest rendered by <c>inject</c> without the namespace's labels)
/// that a mesh's injector then joined: the next pass moves the redirect behind the mesh and gives the
/// sidecar its own probes back, and changes nothing after that.
/// </summary>
public sealed class MeshRedirectRepairTests
{
    private static readonly PodInjector s_injector = new(new InjectionOptions { SidecarImage = "registry.example/mirrord/sidecar:0.1.0" });
    private static readonly InjectionContext s_unknownNamespace = new("shop", null);

    [Theory]
    [InlineData("istio", false)]
    [InlineData("istio", true)]
    [InlineData("linkerd", false)]
    [InlineData("linkerd", true)]
    public void RenderedWithoutTheMesh_ThenJoinedByIt_IsMovedBehindTheMesh_Once(string mesh, bool native)
    {
        var pod = Pod();
        var first = s_injector.Inject(pod, s_unknownNamespace);
        first.Patch.ApplyTo(pod);
        if (mesh == "istio")
        {
            MeshInjectorStandIns.Istio(pod, native);
        }
        else
        {
            MeshInjectorStandIns.Linkerd(pod, native);
        }

        var repair = s_injector.Inject(pod, s_unknownNamespace);
        var repaired = pod.DeepClone();
        JsonSerializer.Deserialize<JsonPatchDocument>(repair.Patch.ToJson())!.ApplyTo(repaired);

        Assert.Equal(InjectionOutcome.Injected, repair.Outcome);
        Assert.StartsWith($"the pod was injected for no service mesh, but container {mesh}-proxy shows one", repair.Reason, StringComparison.Ordinal);
        Assert.All(repair.Patch.Operations, op => Assert.Equal("replace", op.Op));
        var init = Init(repaired, PodAnnotations.InitContainer);
        Assert.Contains($"--behind {mesh} --mesh-proxy-uid {(mesh == "istio" ? 1337 : 2102)}", string.Join(' ', init["args"]!.AsArray().Select(a => a!.GetValue<string>())), StringComparison.Ordinal);
        Assert.Contains($"\"redirect\":\"behind-{mesh}\"", repaired["metadata"]!["annotations"]![PodAnnotations.Status]!.GetValue<string>(), StringComparison.Ordinal);
        var sidecar = Init(repaired, PodAnnotations.SidecarContainer);
        Assert.All(new[] { "startupProbe", "readinessProbe", "livenessProbe" }, kind => Assert.Equal(SidecarPorts.Health, sidecar[kind]!["httpGet"]!["port"]!.GetValue<int>()));
        Assert.True(s_injector.Inject(repaired.AsObject(), s_unknownNamespace).Patch.IsEmpty);
    }

    [Fact]
    public void InjectedBehindTheMeshAlready_IsLeftAlone()
    {
        var pod = Pod();
        MeshInjectorStandIns.Istio(pod, native: false);
        s_injector.Inject(pod, s_unknownNamespace).Patch.ApplyTo(pod);

        Assert.Equal("the pod already carries the mirrord sidecar", s_injector.Inject(pod, s_unknownNamespace).Reason);
    }

    private static JsonObject Pod() => JsonNode.Parse("""
        {
          "apiVersion": "v1", "kind": "Pod",
          "metadata": { "generateName": "orders-7d9f-" },
          "spec": { "containers": [ { "name": "orders", "image": "shop/orders:1.4.2", "ports": [ { "containerPort": 8080 } ] } ] }
        }
        """)!.AsObject();

    private static JsonNode Init(JsonNode pod, string name) => pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;
}
