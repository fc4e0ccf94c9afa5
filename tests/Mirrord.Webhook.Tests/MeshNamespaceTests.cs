using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Testing.Kubernetes;

namespace Mirrord.Webhook.Tests;

/// <summary>
/// A mesh may opt a whole namespace in, and its injector may run after ours: the webhook reads the
/// pod's namespace from the API server (the FAKE one here) and puts the redirect behind the mesh
/// that namespace will get, or leaves the pod alone when it cannot tell.
/// </summary>
public sealed class MeshNamespaceTests
{
    [Fact]
    public async Task NamespaceLabelledForIstio_PodWithoutIstioYet_IsInjectedBehindIstio()
    {
        var ns = await NamespaceAsync(new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled", ["istio-injection"] = "enabled" });
        await using var webhook = await WebhookHost.StartAsync();

        var patched = await PatchedAsync(webhook, ns);

        Assert.Contains("\"redirect\":\"behind-istio\"", patched["metadata"]!["annotations"]!["mirrord.dev/status"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("--behind istio", InitArgs(patched), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceAnnotatedForLinkerd_IsInjectedBehindLinkerd()
    {
        var ns = await NamespaceAsync(new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" }, new Dictionary<string, string> { ["linkerd.io/inject"] = "enabled" });
        await using var webhook = await WebhookHost.StartAsync();

        var patched = await PatchedAsync(webhook, ns);

        Assert.Contains("--behind linkerd --mesh-proxy-uid 2102", InitArgs(patched), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AmbientNamespace_PodIsAdmittedUnchanged_WithAWarningSayingWhatToDo()
    {
        var ns = await NamespaceAsync(new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled", ["istio.io/dataplane-mode"] = "ambient" });
        await using var webhook = await WebhookHost.StartAsync();

        var answer = await ReviewAsync(webhook, ns);

        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        Assert.Contains("istio.io/dataplane-mode=none", Assert.Single(answer["warnings"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceThatCannotBeRead_PodIsAdmittedUnchanged_NamingTheMissingPermission()
    {
        await using var api = await FakeKubeApiServer.StartAsync("mirrord-system");
        api.ForbidNamespaces = true;
        await using var webhook = await WebhookHost.StartAsync(settings: new Dictionary<string, string?> { ["Webhook:Kubeconfig"] = api.WriteKubeconfig() });

        var answer = await ReviewAsync(webhook, "shop");

        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        var warning = Assert.Single(answer["warnings"]!.AsArray())!.GetValue<string>();
        Assert.Contains("namespace shop could not be read", warning, StringComparison.Ordinal);
        Assert.Contains("may not get namespaces", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiServerThatDoesNotAnswer_PodIsAdmittedUnchanged_WhenTheReadTimeoutEnds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var release = new TaskCompletionSource();
        await using var api = await FakeKubeApiServer.StartAsync("mirrord-system");
        api.HoldNamespaces = release.Task;
        await using var webhook = await WebhookHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Webhook:Kubeconfig"] = api.WriteKubeconfig(),
            ["Webhook:NamespaceReadTimeout"] = "00:00:01.5",
        }, time: clock);

        var review = ReviewAsync(webhook, "shop");
        await api.NamespaceReadHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(1.5));
        var answer = await review.WaitAsync(TimeSpan.FromSeconds(30));
        release.SetResult();

        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        Assert.Contains("namespace shop could not be read (the API server did not answer within 1.5 s)",
            Assert.Single(answer["warnings"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string> NamespaceAsync(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var name = $"mesh-{Guid.NewGuid():N}"[..16];
        (await WebhookHost.ApiAsync()).PutNamespace(name, labels, annotations);
        return name;
    }

    private static async Task<JsonNode> ReviewAsync(WebhookHost webhook, string ns)
    {
        using var client = webhook.Client();
        using var response = await client.PostAsJsonAsync("/mutate", AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("02-namespace-label-generate-name"), ns));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
    }

    private static async Task<JsonNode> PatchedAsync(WebhookHost webhook, string ns)
    {
        var answer = await ReviewAsync(webhook, ns);
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(Encoding.UTF8.GetString(Convert.FromBase64String(answer["patch"]!.GetValue<string>())))!;
        var patched = AdmissionReviews.GoldenPod("02-namespace-label-generate-name").DeepClone();
        patch.ApplyTo(patched);
        return patched;
    }

    private static string InitArgs(JsonNode pod)
        => string.Join(' ', pod["spec"]!["initContainers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "mirrord-init")!["args"]!.AsArray().Select(a => a!.GetValue<string>()));
}
