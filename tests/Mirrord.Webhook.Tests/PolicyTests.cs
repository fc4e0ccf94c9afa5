using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Mirrord.Webhook.Tests;

/// <summary>
/// The session policy through the real webhook: the cluster's (Injection:Policy) is checked at start,
/// and combined with the namespace's annotation (read from the FAKE API server) into the sidecar's environment.
/// </summary>
public sealed class PolicyTests
{
    [Fact]
    public async Task BadClusterPolicy_RefusesToStart_NamingTheSettingAndField()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => WebhookHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Injection:Policy"] = """{ "maxSessionsPerPod": "two" }""",
        }));

        Assert.Contains("Injection:Policy: maxSessionsPerPod: must be a whole number", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterAndNamespacePolicies_AreCombined_IntoTheSidecarsEnvironment()
    {
        var ns = $"policy-{Guid.NewGuid():N}"[..16];
        (await WebhookHost.ApiAsync()).PutNamespace(ns,
            new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" },
            new Dictionary<string, string> { ["mirrord.dev/policy"] = """{ "maxSessionsPerPod": 1, "protectedPorts": [5432] }""" });
        await using var webhook = await WebhookHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Injection:Policy"] = """{ "allowedModes": ["steal", "mirror"], "maxSessionsPerPod": 4 }""",
        });

        using var client = webhook.Client();
        using var response = await client.PostAsJsonAsync("/mutate", AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("02-namespace-label-generate-name"), ns));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(Encoding.UTF8.GetString(Convert.FromBase64String(answer["patch"]!.GetValue<string>())))!;
        var pod = AdmissionReviews.GoldenPod("02-namespace-label-generate-name").DeepClone();
        patch.ApplyTo(pod);

        var sidecar = pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "mirrord-sidecar")!;
        var policy = sidecar["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "MIRRORD_Sidecar__Policy")!["value"]!.GetValue<string>();
        Assert.Equal("""{"allowedModes":["steal","mirror"],"maxSessionsPerPod":1,"protectedPorts":[5432]}""", policy);
    }
}
