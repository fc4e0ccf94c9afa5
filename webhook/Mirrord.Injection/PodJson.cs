using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirrord.Injection;

/// <summary>Reading a pod's JSON without a typed model, so that fields this build does not know survive untouched.</summary>
internal static class PodJson
{
    /// <summary>A member of an object; null when the node is missing or not an object (a hostile pod may put anything anywhere).</summary>
    public static JsonNode? Field(JsonNode? node, string name) => (node as JsonObject)?[name];

    public static string? Annotation(JsonObject pod, string name)
        => Field(Field(pod, "metadata"), "annotations") is JsonObject annotations && annotations[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    public static string? Label(JsonObject pod, string name)
        => Field(Field(pod, "metadata"), "labels") is JsonObject labels && labels[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    public static IEnumerable<JsonObject> Containers(JsonObject pod, string list)
        => (Field(Field(pod, "spec"), list) as JsonArray)?.OfType<JsonObject>() ?? [];

    /// <summary>A container's arguments (<c>args</c>, after <c>command</c>), the strings only.</summary>
    public static IReadOnlyList<string> Arguments(JsonObject container)
        => [.. s_commandLine.SelectMany(list => (container[list] as JsonArray)?.Select(String).OfType<string>() ?? [])];

    private static readonly string[] s_commandLine = ["command", "args"];

    public static string? String(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static int? Int(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && int.TryParse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>
    /// What makes the object unsafe to patch: the fields a patch writes into (<c>metadata</c>,
    /// <c>metadata.annotations</c>, <c>spec</c>, <c>spec.initContainers</c>, <c>spec.volumes</c>) must have their v1 Pod
    /// types, or the patch would replace a value instead of adding to it. Null when the shape is right.
    /// </summary>
    public static string? ShapeProblem(JsonObject pod)
    {
        if (pod["metadata"] is not (JsonObject or null))
        {
            return "metadata is not an object";
        }

        switch (Field(pod["metadata"], "annotations"))
        {
            case null:
                break;
            case JsonObject annotations when annotations.FirstOrDefault(a => String(a.Value) is null) is { Key: { } key }:
                return $"annotation {key} is not a string";
            case not JsonObject:
                return "metadata.annotations is not an object";
        }

        if (pod["spec"] is not JsonObject)
        {
            return "spec is missing or not an object";
        }

        foreach (var list in new[] { "initContainers", "volumes" })
        {
            if (Field(pod["spec"], list) is not (JsonArray or null))
            {
                return $"spec.{list} is not a list";
            }
        }

        return null;
    }

    /// <summary>The pod's name, or its <c>generateName</c> prefix for pods a controller creates.</summary>
    public static string Describe(JsonObject pod)
        => String(Field(Field(pod, "metadata"), "name")) ?? (String(Field(Field(pod, "metadata"), "generateName")) is { } prefix ? $"{prefix}*" : "(unnamed pod)");
}
