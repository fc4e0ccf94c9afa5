using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Mirrord.Testing;

namespace Mirrord.Webhook.Tests;

/// <summary><c>POST /mutate</c> over real HTTPS with AdmissionReview JSON as the API server sends it.</summary>
public sealed partial class MutateTests : IAsyncLifetime
{
    private WebhookHost _webhook = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _webhook = await WebhookHost.StartAsync();
        _client = _webhook.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _webhook.DisposeAsync();
    }

    [Fact]
    public async Task OptedInPod_GetsABase64JsonPatchForTheSameUid_ThatProducesTheGoldenPod()
    {
        var pod = AdmissionReviews.GoldenPod("04-several-containers-named-ports");

        var response = await ReviewAsync(AdmissionReviews.ForPod(pod, uid: "b2a3c1d0-1111-2222-3333-444455556666"));

        Assert.Equal("admission.k8s.io/v1", response["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", response["kind"]!.GetValue<string>());
        var answer = response["response"]!;
        Assert.Equal("b2a3c1d0-1111-2222-3333-444455556666", answer["uid"]!.GetValue<string>());
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", answer["patchType"]!.GetValue<string>());
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(Encoding.UTF8.GetString(Convert.FromBase64String(answer["patch"]!.GetValue<string>())))!;
        var patched = pod.DeepClone();
        patch.ApplyTo(patched);
        Assert.True(JsonNode.DeepEquals(AdmissionReviews.GoldenExpected("04-several-containers-named-ports"), patched));
    }

    [Fact]
    public async Task BadAnnotation_DeniesThePodNamingTheAnnotation()
    {
        var response = await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("18-config-annotation-bad-regex")));

        var answer = response["response"]!;
        Assert.False(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        Assert.Equal(400, answer["status"]!["code"]!.GetValue<int>());
        Assert.StartsWith("mirrord: annotation mirrord.dev/config: feature.network.incoming.http_filter.header_filter: invalid regex", answer["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControllerPodWithoutNameOrNamespace_TakesTheNamespaceFromTheRequest()
    {
        var pod = AdmissionReviews.GoldenPod("02-namespace-label-generate-name");
        Assert.Null(pod["metadata"]!["namespace"]);

        var inShop = await ReviewAsync(AdmissionReviews.ForPod(pod, "shop"));
        var inKubeSystem = await ReviewAsync(AdmissionReviews.ForPod(pod, "kube-system"));
        var inOwnNamespace = await ReviewAsync(AdmissionReviews.ForPod(pod, "mirrord-system"));

        Assert.NotNull(inShop["response"]!["patch"]);
        Assert.Null(inKubeSystem["response"]!["patch"]);
        Assert.Null(inOwnNamespace["response"]!["patch"]);
    }

    [Fact]
    public async Task NoPorts_IsAdmittedUnchangedWithAWarning()
    {
        var response = await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("05-no-ports")));

        var answer = response["response"]!;
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.Null(answer["patch"]);
        Assert.Contains("declares no TCP containerPort", answer["warnings"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_IsAnsweredLikeAnyOtherRequest()
    {
        var pod = AdmissionReviews.GoldenPod("01-annotation-single-container");

        var real = await ReviewAsync(AdmissionReviews.ForPod(pod));
        var dry = await ReviewAsync(AdmissionReviews.ForPod(pod, dryRun: true));

        Assert.Equal(real["response"]!["patch"]!.GetValue<string>(), dry["response"]!["patch"]!.GetValue<string>());
    }

    [Fact]
    public async Task AlreadyInjectedPod_OnReinvocation_GetsNoPatch()
    {
        var response = await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenExpected("01-annotation-single-container").AsObject()));

        Assert.True(response["response"]!["allowed"]!.GetValue<bool>());
        Assert.Null(response["response"]!["patch"]);
    }

    [Fact]
    public async Task NotAPod_IsAllowedUnchanged()
    {
        var review = AdmissionReviews.ForPod(new JsonObject { ["kind"] = "Deployment" });
        review["request"]!["kind"]!["kind"] = "Deployment";

        var response = await ReviewAsync(review);

        Assert.True(response["response"]!["allowed"]!.GetValue<bool>());
        Assert.Null(response["response"]!["patch"]);
    }

    [Fact]
    public async Task OneMegabytePod_IsInjected()
    {
        var pod = AdmissionReviews.GoldenPod("01-annotation-single-container");
        pod["metadata"]!["annotations"]!["example.com/large"] = new string('x', 1024 * 1024);

        var response = await ReviewAsync(AdmissionReviews.ForPod(pod));

        Assert.Equal("JSONPatch", response["response"]!["patchType"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("this is not json", "the body is not an AdmissionReview:")]
    [InlineData("[1, 2]", "the body is not an AdmissionReview:")]
    [InlineData("{\"kind\": \"Pod\"}", "the body is not an AdmissionReview: kind is \"Pod\"")]
    [InlineData("{\"apiVersion\": \"admission.k8s.io/v1beta1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u\"}}", "apiVersion is \"admission.k8s.io/v1beta1\"; this webhook reads admission.k8s.io/v1")]
    [InlineData("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}", "the AdmissionReview has no request")]
    [InlineData("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"kind\": {\"kind\": \"Pod\"}}}", "the AdmissionReview's request has no uid")]
    [InlineData("{\"kind\": \"AdmissionReview\", \"request\": {\"uid\": 7}}", "the body is not an AdmissionReview:")]
    public async Task MalformedBody_Is400WithAClearMessage_AndTheWebhookKeepsServing(string body, string expected)
    {
        using var response = await _client.PostAsync("/mutate", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"mirrord-webhook: {expected}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var next = await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("01-annotation-single-container")));
        Assert.True(next["response"]!["allowed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyOverTheLimit_IsRefusedNamingTheLimit_WithOrWithoutContentLength(bool declared)
    {
        var body = new byte[3 * 1024 * 1024 + 1];
        Array.Fill(body, (byte)' ');
        using HttpContent content = declared ? new ByteArrayContent(body) : new UndeclaredLengthContent(body);

        using var response = await _client.PostAsync("/mutate", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("3145728", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var next = await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("01-annotation-single-container")));
        Assert.True(next["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Metrics_CountReviewsByOutcome_OnThePlainPort()
    {
        await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("01-annotation-single-container")));
        await ReviewAsync(AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("22-bad-inject-value")));
        using var plain = new HttpClient();

        var metrics = await plain.GetStringAsync($"http://127.0.0.1:{_webhook.MetricsPort}/metrics");
        var health = await plain.GetStringAsync($"http://127.0.0.1:{_webhook.MetricsPort}/healthz");

        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_webhook_review_duration_seconds_count", ("outcome", "injected")));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_webhook_review_duration_seconds_count", ("outcome", "denied")));
        Assert.Equal(0, MetricsText.Counter(metrics, "mirrord_webhook_review_duration_seconds_count", ("outcome", "skipped")));
        Assert.Equal("ok\n", health);
    }

    private async Task<JsonNode> ReviewAsync(JsonObject review)
    {
        using var response = await _client.PostAsJsonAsync("/mutate", review);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>A body sent chunked, so the server learns its size only by reading it.</summary>
    private sealed class UndeclaredLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
