using System.Text.Json.Nodes;
using Mirrord.Incoming.Configuration;
using Mirrord.Injection.Containers;
using Mirrord.Injection.Mesh;
using Mirrord.Injection.Patching;
using Mirrord.Injection.Rules;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Injection;

/// <summary>
/// Decides whether a pod gets the sidecar and computes the JSON Patch that adds it. Pure: no I/O,
/// the same for the webhook and <c>mirrord-cli inject</c>. The patch adds two init containers and
/// one annotation, and replaces only the tcpSocket probes on intercepted ports
/// (<see cref="TcpProbeRewrite"/>), so it applies cleanly whatever else the pod carries. A pod it
/// produced (the mirrord containers are there) is left alone on a second pass, unless a service
/// mesh has joined it since (<see cref="MeshRedirectRepair"/>); a status annotation without the
/// containers behind it is a leftover, and the pod is injected.
/// </summary>
public sealed class PodInjector
{
    private readonly InjectionOptions _options;

    public PodInjector(InjectionOptions options)
    {
        _options = options;
    }

    public InjectionResult Inject(JsonObject pod, InjectionContext context)
    {
        if (IsInjected(pod))
        {
            return WithCurrentPolicy(pod, context, MeshRedirectRepair.TryRepair(pod, context)) ?? InjectionResult.Skip("the pod already carries the mirrord sidecar");
        }

        // The API server only sends well-formed pods; anything else is left alone rather than patched blindly.
        if (PodJson.ShapeProblem(pod) is { } problem)
        {
            return InjectionResult.Skip($"the object is not shaped like a v1 Pod: {problem}");
        }

        var (inject, reason, optInError) = OptInRule.Decide(pod, context, _options);
        if (optInError is not null)
        {
            return InjectionResult.Deny(optInError);
        }

        if (!inject)
        {
            return InjectionResult.Skip(reason);
        }

        // A pod whose mesh mirrord cannot sit behind is left as it is, never denied: the app works without us.
        var (mesh, meshProblem) = MeshDetector.Detect(pod, context);
        if (meshProblem is not null)
        {
            return InjectionResult.Skip(meshProblem, [$"mirrord: {PodJson.Describe(pod)} was not injected: {meshProblem}"]);
        }

        var (ports, portError, warnings) = InterceptedPortsRule.Resolve(pod);
        if (portError is not null)
        {
            // Deny only a pod that asked for the sidecar itself: a namespace-wide opt-in must not block an unrelated deployment.
            return PodJson.Annotation(pod, PodAnnotations.Inject) is "true" || PodJson.Annotation(pod, PodAnnotations.Ports) is not null
                ? InjectionResult.Deny(portError)
                : InjectionResult.Skip(portError, [$"mirrord: {PodJson.Describe(pod)} was not injected: {portError}"]);
        }

        if (ports.Count == 0)
        {
            return InjectionResult.Skip(
                "the pod declares no TCP containerPort to intercept",
                [$"mirrord: {PodJson.Describe(pod)} was not injected: it declares no TCP containerPort; list the ports in {PodAnnotations.Ports}"]);
        }

        var (tls, tlsError) = TlsRule.Resolve(pod, ports);
        if (tlsError is not null)
        {
            return InjectionResult.Deny(tlsError);
        }

        string? defaultIncoming = null;
        var allWarnings = new List<string>(warnings);
        if (PodJson.Annotation(pod, PodAnnotations.Config) is { } configText)
        {
            var parsed = IncomingConfigParser.ParseIncoming(configText);
            if (parsed.Config is not { } config)
            {
                return InjectionResult.Deny($"annotation {PodAnnotations.Config}: {string.Join("; ", parsed.Errors)}");
            }

            allWarnings.AddRange(parsed.Warnings.Select(w => $"annotation {PodAnnotations.Config}: {w}"));

            // A pod's filter that names no ports guards the ports this pod intercepts, not mirrord's [80, 8080].
            if (config.HttpFilter is { } filter && !ListsFilterPorts(configText))
            {
                config = config with { HttpFilter = filter with { Ports = ports } };
            }

            defaultIncoming = JsonNode.Parse(IncomingConfigWriter.WriteIncoming(config))!.ToJsonString();
        }

        // A namespace policy that cannot be read leaves the pod without the sidecar: nobody steals from it until it is fixed.
        var (policy, policyProblem) = EffectivePolicy(context);
        if (policyProblem is not null)
        {
            return InjectionResult.Skip(policyProblem, [$"mirrord: {PodJson.Describe(pod)} was not injected: {policyProblem}"]);
        }

        var (resources, resourceError) = SidecarResources.Resolve(pod, _options);
        if (resourceError is not null)
        {
            return InjectionResult.Deny(resourceError);
        }

        if (PodJson.Annotation(pod, PodAnnotations.Status) is not null)
        {
            allWarnings.Add($"the pod carried {PodAnnotations.Status} without the mirrord containers (left over when they were removed); it is injected again");
        }

        var probeRewrite = TcpProbeRewrite.Plan(pod, ports);
        var redirect = mesh.Redirect(ports, SidecarPorts.Inbound);
        var status = new InjectionStatus(InjectorVersion.Current, ports, redirect.Mode.StatusName(), probeRewrite.Rewritten.Count > 0 ? probeRewrite.Rewritten : null);
        var operations = new List<JsonPatchOperation>();
        AddAnnotation(pod, operations, PodAnnotations.Status, status.ToJson());
        operations.AddRange(probeRewrite.Operations);

        // Istio rewrites the probes of every container its injector finds to go through its agent on
        // 15020 (pkg/kube/inject/app_probe.go); when that injector runs after ours, see SidecarProbes.
        var probes = mesh is { Kind: MeshKind.Istio, Present: false } ? SidecarProbes.ReadinessOnly : SidecarProbes.All;
        AddInitContainers(pod, operations, InjectedContainers.Init(_options, redirect), InjectedContainers.Sidecar(
            _options, ports, defaultIncoming, resources!, probes, policy.IsEmpty ? null : policy.ToJson(), tls, PodProbes.Of(pod, ports)));
        AddVolumes(pod, operations, [InjectedContainers.AdminVolume(), .. tls is null ? [] : InjectedContainers.TlsVolumes(tls)]);

        var described = mesh.Kind == MeshKind.None ? reason : $"{reason}; the redirect sits {redirect.Mode.Describe()} ({mesh.Evidence})";
        return new InjectionResult(InjectionOutcome.Injected, described, new JsonPatch(operations), allWarnings, redirect.Mode, probeRewrite.Lines, policy.Describe());
    }

    /// <summary>
    /// An injected pod gets the cluster's and namespace's policy of this moment, whatever it was injected with
    /// (<see cref="PolicyRefresh"/>); a namespace policy that cannot be read allows no session until it is fixed.
    /// </summary>
    private InjectionResult? WithCurrentPolicy(JsonObject pod, InjectionContext context, InjectionResult? repair)
    {
        var (policy, problem) = EffectivePolicy(context);
        if (problem is not null)
        {
            policy = policy.Combine(new Incoming.Guardrails.SessionPolicy { AllowedModes = [] });
        }

        var operations = PolicyRefresh.Plan(pod, policy);
        if (operations.Count == 0)
        {
            return repair;
        }

        var warnings = new List<string>(repair?.Warnings ?? []);
        if (problem is not null)
        {
            warnings.Add($"mirrord: {problem}; the already injected {PodJson.Describe(pod)} allows no session meanwhile");
        }

        var reason = "the pod already carries the mirrord sidecar; its session policy is brought up to date with the cluster's and the namespace's";
        return new InjectionResult(
            InjectionOutcome.Injected,
            repair is null ? reason : $"{repair.Reason}; {reason}",
            new JsonPatch([.. repair?.Patch.Operations ?? [], .. operations]),
            warnings,
            repair?.Redirect,
            repair?.Rewrites,
            policy.Describe());
    }

    private (Incoming.Guardrails.SessionPolicy Policy, string? Problem) EffectivePolicy(InjectionContext context)
    {
        var cluster = _options.ClusterPolicy();
        if (context.NamespaceAnnotation(PodAnnotations.NamespacePolicy) is not { } text)
        {
            return (cluster, null);
        }

        var (ns, errors) = Incoming.Guardrails.SessionPolicyParser.Parse(text, $"annotation {PodAnnotations.NamespacePolicy} of namespace {context.Namespace}");
        return ns is null
            ? (cluster, $"{string.Join("; ", errors)}; the namespace's pods are not injected until its policy is fixed")
            : (cluster.Combine(ns), null);
    }

    private static bool ListsFilterPorts(string configText)
    {
        var options = new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = System.Text.Json.JsonCommentHandling.Skip };
        using var document = System.Text.Json.JsonDocument.Parse(configText, options);
        return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.TryGetProperty("http_filter", out var filter)
            && filter.ValueKind == System.Text.Json.JsonValueKind.Object
            && filter.TryGetProperty("ports", out _);
    }

    /// <summary>
    /// Already injected: a container of ours under either list. The status annotation alone does not
    /// count: an overlay that replaced initContainers leaves it behind without the sidecar.
    /// </summary>
    public static bool IsInjected(JsonObject pod)
        => PodJson.Containers(pod, "initContainers").Concat(PodJson.Containers(pod, "containers"))
            .Any(c => PodJson.String(c["name"]) is PodAnnotations.SidecarContainer or PodAnnotations.InitContainer);

    private static void AddAnnotation(JsonObject pod, List<JsonPatchOperation> operations, string key, string value)
    {
        if (pod["metadata"] is not JsonObject metadata)
        {
            operations.Add(JsonPatchOperation.Add("/metadata", new JsonObject { ["annotations"] = new JsonObject { [key] = value } }));
        }
        else if (metadata["annotations"] is not JsonObject)
        {
            operations.Add(JsonPatchOperation.Add("/metadata/annotations", new JsonObject { [key] = value }));
        }
        else
        {
            operations.Add(JsonPatchOperation.Add(JsonPointer.Combine("/metadata/annotations", key), value));
        }
    }

    private static void AddVolumes(JsonObject pod, List<JsonPatchOperation> operations, IReadOnlyList<JsonObject> volumes)
    {
        if (PodJson.Field(pod["spec"], "volumes") is not JsonArray)
        {
            operations.Add(JsonPatchOperation.Add("/spec/volumes", new JsonArray([.. volumes])));
            return;
        }

        operations.AddRange(volumes.Select(volume => JsonPatchOperation.Add("/spec/volumes/-", volume)));
    }

    private static void AddInitContainers(JsonObject pod, List<JsonPatchOperation> operations, JsonObject init, JsonObject sidecar)
    {
        if (PodJson.Field(pod["spec"], "initContainers") is not JsonArray)
        {
            operations.Add(JsonPatchOperation.Add("/spec/initContainers", new JsonArray(init, sidecar)));
            return;
        }

        // Ours go first, so the pod's own init containers already run behind the sidecar; but after a
        // mesh's init step and native-sidecar proxy at the head of the list, which is where the
        // meshes' injectors (Istio's reorderPod, Linkerd's patch at index 0) put theirs when they run
        // after ours. The spec is then the same whichever webhook runs first.
        var index = MeshContainers.LeadingInitContainers(pod).ToString(System.Globalization.CultureInfo.InvariantCulture);
        operations.Add(JsonPatchOperation.Add($"/spec/initContainers/{index}", sidecar));
        operations.Add(JsonPatchOperation.Add($"/spec/initContainers/{index}", init));
    }
}
