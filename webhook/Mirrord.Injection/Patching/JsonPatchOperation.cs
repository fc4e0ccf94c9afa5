using System.Text.Json.Nodes;

namespace Mirrord.Injection.Patching;

/// <summary>One RFC 6902 operation. Only <c>add</c> is ever produced: injection never removes or rewrites what the user wrote.</summary>
public sealed record JsonPatchOperation(string Op, string Path, JsonNode? Value)
{
    public static JsonPatchOperation Add(string path, JsonNode? value) => new("add", path, value);

    public JsonObject ToJson() => new() { ["op"] = Op, ["path"] = Path, ["value"] = Value?.DeepClone() };
}
