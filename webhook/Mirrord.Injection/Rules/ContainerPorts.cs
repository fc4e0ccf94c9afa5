using System.Text.Json.Nodes;

namespace Mirrord.Injection.Rules;

/// <summary>A container's ports as a probe names them: a number, or the name of one of its <c>ports</c>.</summary>
internal static class ContainerPorts
{
    public static IReadOnlyDictionary<string, int> Named(JsonObject container)
        => (container["ports"] as JsonArray)?.OfType<JsonObject>()
            .Where(p => PodJson.String(p["name"]) is not null && PodJson.Int(p["containerPort"]) is not null)
            .DistinctBy(p => PodJson.String(p["name"]), StringComparer.Ordinal)
            .ToDictionary(p => PodJson.String(p["name"])!, p => PodJson.Int(p["containerPort"])!.Value, StringComparer.Ordinal) ?? [];

    public static int? Resolve(JsonNode? port, IReadOnlyDictionary<string, int> named)
        => PodJson.Int(port) ?? (PodJson.String(port) is { } name && named.TryGetValue(name, out var number) ? number : null);
}
