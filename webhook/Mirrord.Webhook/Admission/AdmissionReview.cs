using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirrord.Webhook.Admission;

/// <summary>
/// <c>admission.k8s.io/v1</c> AdmissionReview, the fields the webhook reads and writes. The
/// Kubernetes client library has no model for it (it is not in the OpenAPI spec).
/// </summary>
internal sealed record AdmissionReview(
    [property: JsonPropertyName("apiVersion")] string? ApiVersion,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("request")] AdmissionRequest? Request,
    [property: JsonPropertyName("response")] AdmissionResponse? Response)
{
    /// <summary>The one version the webhook reads and answers in (the configuration asks for v1 only).</summary>
    public const string Version = "admission.k8s.io/v1";
}

internal sealed record AdmissionRequest(
    [property: JsonPropertyName("uid")] string? Uid,
    [property: JsonPropertyName("kind")] GroupVersionKind? Kind,
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("operation")] string? Operation,
    [property: JsonPropertyName("dryRun")] bool? DryRun,
    [property: JsonPropertyName("object")] JsonElement? Object);

internal sealed record GroupVersionKind(
    [property: JsonPropertyName("group")] string? Group,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("kind")] string? Kind);

internal sealed record AdmissionResponse(
    [property: JsonPropertyName("uid")] string Uid,
    [property: JsonPropertyName("allowed")] bool Allowed,
    [property: JsonPropertyName("status")] AdmissionStatus? Status = null,
    [property: JsonPropertyName("patch")] string? Patch = null,
    [property: JsonPropertyName("patchType")] string? PatchType = null,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string>? Warnings = null);

internal sealed record AdmissionStatus(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("reason")] string? Reason = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdmissionReview))]
internal sealed partial class AdmissionJsonContext : JsonSerializerContext;
