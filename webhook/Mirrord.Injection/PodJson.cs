using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirrord.Injection;

/// <summary>Reading a pod's JSON without a typed model, so that fields this build does not know survive untouched.</summary>
internal static class PodJson
{
    public static string? Annotation(JsonObject pod, string name)
        => pod["metadata"]?["annotations"] is JsonObject annotations && annotations[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    public static IEnumerable<JsonObject> Containers(JsonObject pod, string list)
        => (pod["spec"]?[list] as JsonArray)?.OfType<JsonObject>() ?? [];

    public static string? String(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static int? Int(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && int.TryParse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>The pod's name, or its <c>generateName</c> prefix for pods a controller creates.</summary>
    public static string Describe(JsonObject pod)
        => String(pod["metadata"]?["name"]) ?? (String(pod["metadata"]?["generateName"]) is { } prefix ? $"{prefix}*" : "(unnamed pod)");
}
