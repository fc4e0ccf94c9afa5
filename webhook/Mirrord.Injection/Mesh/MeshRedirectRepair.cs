using System.Globalization;
using System.Text.Json.Nodes;
using Mirrord.Injection.Containers;
using Mirrord.Injection.Patching;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// A pod that carries mirrord's redirect for a pod without a mesh, and a mesh's containers beside
/// it: a manifest rendered by <c>mirrord-cli inject</c> without the namespace's labels, joined at
/// admission by the mesh's injector. Left alone, the redirect would sit in front of the mesh's
/// proxy (in its classic mode) or see nothing decrypted, and the mesh's injector may have pointed
/// the sidecar's probes at its agent. The repair moves the redirect behind the mesh and gives the
/// sidecar back its own probes, touching only what mirrord put there.
/// </summary>
internal static class MeshRedirectRepair
{
    public static InjectionResult? TryRepair(JsonObject pod, InjectionContext context)
    {
        if (!InjectionStatus.TryParse(PodJson.Annotation(pod, PodAnnotations.Status), out var status, out _)
            || !RedirectModeNames.TryParseStatusName(status.Redirect, out var recorded)
            || recorded != RedirectMode.Prerouting)
        {
            return null;
        }

        var (mesh, problem) = MeshDetector.Detect(pod, context);
        // Indexed as the array stands: a patch path counts every element, objects or not.
        var inits = (PodJson.Field(PodJson.Field(pod, "spec"), "initContainers") as JsonArray)?.Select(c => c as JsonObject ?? []).ToList() ?? [];
        var init = inits.FindIndex(c => PodJson.String(c["name"]) == PodAnnotations.InitContainer);
        var sidecar = inits.FindIndex(c => PodJson.String(c["name"]) == PodAnnotations.SidecarContainer);
        if (problem is not null || mesh is not { Present: true } || init < 0 || sidecar < 0)
        {
            return null;
        }

        var command = PodJson.Arguments(inits[init]);
        if (command.Count == 0 || command[0] != "init" || !RedirectSpec.TryParse([.. command.Skip(1)], out var spec, out _))
        {
            return null;
        }

        var repaired = mesh.Redirect(spec.Ports, spec.InboundPort);
        var operations = new List<JsonPatchOperation>
        {
            JsonPatchOperation.Replace(Path(init, "args"), new JsonArray([.. repaired.ToArguments().Prepend("init").Select(a => (JsonNode)a)])),
            JsonPatchOperation.Replace(
                JsonPointer.Combine("/metadata/annotations", PodAnnotations.Status), (status with { Redirect = repaired.Mode.StatusName() }).ToJson()),
        };

        // Behind a mesh, mirrord-init keeps the health port out of the mesh's capture: kubelet can probe it directly again.
        foreach (var kind in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            if (PodJson.Int(PodJson.Field(PodJson.Field(inits[sidecar][kind], "httpGet"), "port")) is { } port && port != SidecarPorts.Health)
            {
                operations.Add(JsonPatchOperation.Replace(Path(sidecar, kind), InjectedContainers.SidecarProbe(kind)));
            }
        }

        return new InjectionResult(
            InjectionOutcome.Injected,
            $"the pod was injected for no service mesh, but {mesh.Evidence} shows one: the redirect moves {repaired.Mode.Describe()}",
            new JsonPatch(operations),
            [],
            repaired.Mode);
    }

    private static string Path(int index, string field) => $"/spec/initContainers/{index.ToString(CultureInfo.InvariantCulture)}/{field}";
}
