using System.Text.Json.Nodes;
using Mirrord.Injection;

namespace Mirrord.Demo;

/// <summary>
/// What the webhook injected into a pod, read from the pod after injection: the arguments of
/// <c>mirrord-init</c> and the environment and user of <c>mirrord-sidecar</c>, so a pod built on this
/// machine runs them exactly as a cluster would.
/// </summary>
internal sealed record InjectedPodSpec(IReadOnlyList<string> InitArgs, IReadOnlyDictionary<string, string> SidecarEnvironment, int SidecarUser)
{
    /// <summary>
    /// The demo's pod: one app container with these ports in an opted-in namespace, through the real
    /// injector. Like most apps it has kubelet probes: readiness and liveness over HTTP on the first
    /// port, and a gRPC readiness probe on the second when there is one.
    /// </summary>
    public static JsonObject DemoPod(string podName, string @namespace, IReadOnlyList<int> containerPorts)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = podName, ["namespace"] = @namespace },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["image"] = "demo/app",
                    ["ports"] = new JsonArray([.. containerPorts.Select(port => (JsonNode)new JsonObject { ["containerPort"] = port })]),
                    ["readinessProbe"] = containerPorts.Count > 1
                        ? new JsonObject { ["grpc"] = new JsonObject { ["port"] = containerPorts[1] } }
                        : new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/health/ready", ["port"] = containerPorts[0] } },
                    ["livenessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/health/live", ["port"] = containerPorts[0] } },
                }),
            },
        };
        var result = new PodInjector(new InjectionOptions())
            .Inject(pod, new InjectionContext(@namespace, new Dictionary<string, string> { [PodAnnotations.NamespaceInjection] = "enabled" }));
        if (result.Outcome != InjectionOutcome.Injected)
        {
            throw new InvalidOperationException($"the demo pod was not injected: {result.Reason}");
        }

        result.Patch.ApplyTo(pod);
        return pod;
    }

    /// <summary>
    /// Reads ours out of an injected pod; field references resolve to this pod's name and namespace,
    /// and a value naming a Secret volume's mount path names that Secret's folder in <paramref name="secretFolders"/>.
    /// </summary>
    public static InjectedPodSpec From(JsonObject injectedPod, string podName, string @namespace, IReadOnlyDictionary<string, string>? secretFolders = null)
    {
        var containers = injectedPod["spec"]!["initContainers"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var init = containers.Single(c => c["name"]!.GetValue<string>() == PodAnnotations.InitContainer);
        var sidecar = containers.Single(c => c["name"]!.GetValue<string>() == PodAnnotations.SidecarContainer);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in sidecar["env"]!.AsArray().Select(v => v!.AsObject()))
        {
            var value = variable["value"]?.GetValue<string>()
                ?? variable["valueFrom"]?["fieldRef"]?["fieldPath"]?.GetValue<string>() switch
                {
                    "metadata.name" => podName,
                    "metadata.namespace" => @namespace,
                    _ => null,
                };
            if (value is not null)
            {
                environment[variable["name"]!.GetValue<string>()] = value;
            }
        }

        foreach (var (mountPath, folder) in SecretMounts(injectedPod, sidecar, secretFolders ?? new Dictionary<string, string>()))
        {
            foreach (var (name, value) in environment.Where(pair => pair.Value == mountPath || pair.Value.StartsWith(mountPath + "/", StringComparison.Ordinal)).ToList())
            {
                environment[name] = folder + value[mountPath.Length..];
            }
        }

        return new InjectedPodSpec(
            [.. init["args"]!.AsArray().Select(a => a!.GetValue<string>())],
            environment,
            sidecar["securityContext"]!["runAsUser"]!.GetValue<int>());
    }

    private static IEnumerable<(string MountPath, string Folder)> SecretMounts(JsonObject pod, JsonObject container, IReadOnlyDictionary<string, string> secretFolders)
    {
        var volumes = (pod["spec"]!["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => v["name"]!.GetValue<string>());
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var volume = volumes.GetValueOrDefault(mount["name"]!.GetValue<string>());
            if (volume?["emptyDir"] is not null)
            {
                // As the kubelet makes an emptyDir: a new folder, writable by every user (mode 0777).
                var emptyDir = Directory.CreateTempSubdirectory("mirrord-emptydir-").FullName;
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(emptyDir, (UnixFileMode)0b111_111_111);
                }

                yield return (mount["mountPath"]!.GetValue<string>(), emptyDir);
                continue;
            }

            var secret = volume?["secret"]?["secretName"]?.GetValue<string>();
            if (secret is not null)
            {
                yield return (mount["mountPath"]!.GetValue<string>(), secretFolders.TryGetValue(secret, out var folder)
                    ? folder
                    : throw new InvalidOperationException($"the pod mounts Secret {secret}, which has no folder on this machine"));
            }
        }
    }
}
