using System.Text.Json.Nodes;
using Mirrord.Incoming.Guardrails;
using Mirrord.Injection.Patching;
using Mirrord.Tunnel;

namespace Mirrord.Injection.Rules;

/// <summary>
/// A pod that arrives already injected (the output of <c>mirrord-cli inject</c> in git, a hand-written
/// pod) carries whatever session policy was frozen into its sidecar then. At admission the cluster's and
/// the namespace's policy of that moment apply to it as to any pod: the sidecar's policy variable is
/// replaced (or added), and nothing else is touched.
/// </summary>
internal static class PolicyRefresh
{
    /// <summary>The operations that give the pod's sidecar <paramref name="policy"/>, or none when it has it already (or has no sidecar to give it to).</summary>
    public static IReadOnlyList<JsonPatchOperation> Plan(JsonObject pod, SessionPolicy policy)
    {
        foreach (var list in new[] { "initContainers", "containers" })
        {
            // Indexed as the array stands (a patch path counts every element, objects or not).
            var containers = (PodJson.Field(PodJson.Field(pod, "spec"), list) as JsonArray)?.Select(c => c as JsonObject).ToList() ?? [];
            var index = containers.FindIndex(c => c is not null && PodJson.String(c["name"]) == PodAnnotations.SidecarContainer);
            if (index < 0)
            {
                continue;
            }

            // An empty policy is written as {}: the variable may be there from before, and every session is allowed again.
            var wanted = policy.IsEmpty ? "{}" : policy.ToJson();
            var container = $"/spec/{list}/{index}";
            switch (containers[index]!["env"])
            {
                case null:
                    return policy.IsEmpty ? [] : [JsonPatchOperation.Add($"{container}/env", new JsonArray(Variable(wanted)))];
                case not JsonArray:
                    // Not a v1 container's env: nothing is patched blindly.
                    return [];
            }

            var env = containers[index]!["env"]!.AsArray();

            var at = env.Select((variable, i) => (Variable: variable as JsonObject, Index: i)).FirstOrDefault(v => PodJson.String(v.Variable?["name"]) == SidecarEnvironment.Policy);
            if (at.Variable is null)
            {
                return policy.IsEmpty ? [] : [JsonPatchOperation.Add($"{container}/env/-", Variable(wanted))];
            }

            return PodJson.String(at.Variable["value"]) == wanted || (policy.IsEmpty && IsEmptyPolicy(PodJson.String(at.Variable["value"])))
                ? []
                : [JsonPatchOperation.Replace($"{container}/env/{at.Index}", Variable(wanted))];
        }

        return [];
    }

    private static JsonObject Variable(string value) => new() { ["name"] = SidecarEnvironment.Policy, ["value"] = value };

    private static bool IsEmptyPolicy(string? text) => text is not null && SessionPolicyParser.Parse(text, "policy").Policy?.IsEmpty == true;
}
