using System.Text.Json;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// mirrord.json's <c>target</c>: either <c>"deployment/orders"</c> or
/// <c>{ "path": "deployment/orders", "namespace": "shop" }</c>. Flags win over it.
/// </summary>
internal sealed record TargetConfig(string? Path, string? Namespace)
{
    private static readonly JsonDocumentOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The file's target, or null when it has none (or the file is not JSON: the incoming parser reports that).</summary>
    public static TargetConfig? Read(ConfigDocument config)
    {
        try
        {
            using var document = JsonDocument.Parse(config.Json, s_options);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("target", out var target))
            {
                return null;
            }

            return target.ValueKind switch
            {
                JsonValueKind.String => new TargetConfig(target.GetString(), null),
                JsonValueKind.Object => new TargetConfig(StringOf(target, "path"), StringOf(target, "namespace")),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringOf(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
