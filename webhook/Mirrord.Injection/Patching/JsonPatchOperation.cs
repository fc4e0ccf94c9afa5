using System.Text.Json.Nodes;

namespace Mirrord.Injection.Patching;

/// <summary>
/// One RFC 6902 operation. Injection only ever adds; <c>replace</c> is used on what mirrord itself
/// put into a pod earlier (its init container's arguments, its sidecar's probes, its status), never
/// on what the user wrote.
/// </summary>
public sealed record JsonPatchOperation(string Op, string Path, JsonNode? Value)
{
    public static JsonPatchOperation Add(string path, JsonNode? value) => new("add", path, value);

    public static JsonPatchOperation Replace(string path, JsonNode? value) => new("replace", path, value);

    public JsonObject ToJson() => new() { ["op"] = Op, ["path"] = Path, ["value"] = Value?.DeepClone() };
}
