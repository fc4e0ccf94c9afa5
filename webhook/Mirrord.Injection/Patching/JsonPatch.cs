using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirrord.Injection.Patching;

/// <summary>A JSON Patch document: serialized for the AdmissionReview, applied in place by <c>mirrord-cli inject</c>.</summary>
public sealed class JsonPatch(IReadOnlyList<JsonPatchOperation> operations)
{
    public IReadOnlyList<JsonPatchOperation> Operations { get; } = operations;

    public bool IsEmpty => Operations.Count == 0;

    public string ToJson() => new JsonArray([.. Operations.Select(op => (JsonNode)op.ToJson())]).ToJsonString();

    /// <summary>Applies the <c>add</c> and <c>replace</c> operations to <paramref name="document"/> in place.</summary>
    public void ApplyTo(JsonNode document)
    {
        foreach (var operation in Operations)
        {
            var tokens = operation.Path.Split('/').Skip(1).Select(JsonPointer.Unescape).ToArray();
            var parent = document;
            foreach (var token in tokens[..^1])
            {
                parent = parent switch
                {
                    JsonObject obj => obj[token] ?? throw new JsonException($"{operation.Path}: no \"{token}\""),
                    JsonArray array => array[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)] ?? throw new JsonException($"{operation.Path}: null at {token}"),
                    _ => throw new JsonException($"{operation.Path}: cannot descend into a value"),
                };
            }

            var last = tokens[^1];
            var value = operation.Value?.DeepClone();
            switch (parent)
            {
                case JsonObject obj:
                    obj[last] = value;
                    break;
                case JsonArray array when last == "-":
                    array.Add(value);
                    break;
                case JsonArray array when operation.Op == "replace":
                    array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
                    break;
                case JsonArray array:
                    array.Insert(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                    break;
                default:
                    throw new JsonException($"{operation.Path}: the parent is not an object or array");
            }
        }
    }
}
