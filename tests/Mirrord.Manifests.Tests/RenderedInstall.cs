using System.Text.Json.Nodes;

namespace Mirrord.Manifests.Tests;

/// <summary>One rendered kustomization, with lookups by kind.</summary>
internal sealed record RenderedInstall(string Folder, string Yaml, IReadOnlyList<JsonObject> Objects)
{
    public static async Task<RenderedInstall> RenderAsync(string folder)
    {
        var yaml = await ManifestTools.KustomizeAsync(folder);
        return new RenderedInstall(folder, yaml, await ManifestTools.ObjectsAsync(yaml));
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o["kind"]?.GetValue<string>() == kind);

    public JsonObject Single(string kind) => Assert.Single(OfKind(kind));
}
