using System.Text.Json.Nodes;

namespace Mirrord.Webhook.Tests;

/// <summary>AdmissionReview requests as the API server sends them.</summary>
internal static class AdmissionReviews
{
    public static JsonObject ForPod(JsonObject pod, string? @namespace = "shop", string uid = "705ab4f5-6393-11e8-b7cc-42010a800002", bool dryRun = false) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["namespace"] = @namespace,
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
            ["object"] = pod.DeepClone(),
            ["dryRun"] = dryRun,
        },
    };

    public static JsonObject GoldenPod(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testassets", "injection", name, "input.json")))!["pod"]!.AsObject();

    public static JsonNode GoldenExpected(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testassets", "injection", name, "expected.json")))!;
}
