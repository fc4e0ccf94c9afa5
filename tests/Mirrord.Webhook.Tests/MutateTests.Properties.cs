using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Mirrord.Webhook.Tests;

/// <summary>
/// <c>POST /mutate</c> with generated reviews, well-formed and not: the webhook answers every one
/// with a review for the same uid or a 400 that says what is wrong, and never fails.
/// </summary>
public sealed partial class MutateTests
{
    private static readonly string[] s_fragments =
    [
        "{", "}", "[", "]", ":", ",", "\"apiVersion\"", "\"admission.k8s.io/v1\"", "\"admission.k8s.io/v1beta1\"", "\"kind\"", "\"AdmissionReview\"",
        "\"request\"", "\"uid\"", "\"u-1\"", "\"object\"", "\"Pod\"", "\"metadata\"", "\"annotations\"", "\"mirrord.dev/inject\"", "\"true\"",
        "null", "7", "-0.5e3", "\"\\ud800\"", "\"\\u0000\"", " ",
    ];

    private static readonly Gen<JsonNode?> s_value = Gen.OneOf(
        Gen.OneOfConst<string>("", "true", "Pod", "a/b", "\u0000", new string('k', 5000)).Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.OneOfConst<JsonNode?>(null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(true)),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonArray()),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonObject { ["spec"] = new JsonArray() }));

    /// <summary>A review for golden pod 04 with one field of the review replaced (uid, kind, object, namespace, ...).</summary>
    private static readonly Gen<string> s_damagedReview =
        Gen.Select(Gen.OneOfConst("uid", "kind", "object", "namespace", "name", "dryRun", "operation"), s_value, (field, value) =>
        {
            var review = AdmissionReviews.ForPod(AdmissionReviews.GoldenPod("04-several-containers-named-ports"));
            review["request"]![field] = value?.DeepClone();
            return review.ToJsonString();
        });

    private static readonly Gen<string> s_body = Gen.OneOf(s_damagedReview, Gen.OneOfConst(s_fragments).Array[0, 30].Select(parts => string.Concat(parts)));

    [Fact]
    public async Task AnyBody_IsAnsweredWithAReviewForItsUidOrA400_NeverAnError()
    {
        await s_body.SampleAsync(async body =>
        {
            using var response = await _client.PostAsync("/mutate", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();

            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.StartsWith("mirrord-webhook: ", text, StringComparison.Ordinal);
                return;
            }

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} for {body}: {text}");
            var uid = JsonNode.Parse(body)!["request"]!["uid"]!.GetValue<string>();
            Assert.Equal(uid, JsonNode.Parse(text)!["response"]!["uid"]!.GetValue<string>());
        }, iter: 300, threads: 1);
    }
}
