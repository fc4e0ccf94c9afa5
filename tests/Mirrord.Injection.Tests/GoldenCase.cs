using System.Text.Json.Nodes;

namespace Mirrord.Injection.Tests;

/// <summary>
/// One folder of <c>testassets/injection</c>: <c>input.json</c> (namespace, its labels or null for
/// a view without them, its annotations when they matter, the pod), <c>expected.json</c> (the pod after the patch; the input when
/// nothing is injected) and <c>expected.txt</c> (outcome, reason, warnings).
/// </summary>
public sealed record GoldenCase(string Name, string Folder)
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "testassets", "injection");

    /// <summary>Set to rewrite the expected files from what the injector produces, for review in the diff.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("MIRRORD_UPDATE_GOLDEN") == "1";

    public static IEnumerable<object[]> All()
        => Directory.GetDirectories(Root).Order(StringComparer.Ordinal).Select(folder => new object[] { Path.GetFileName(folder) });

    public static GoldenCase Load(string name) => new(name, Path.Combine(Root, name));

    public JsonObject Input => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "input.json")))!.AsObject();

    public JsonObject Pod => Input["pod"]!.AsObject();

    public InjectionContext Context
    {
        get
        {
            var input = Input;
            return new InjectionContext(input["namespace"]!.GetValue<string>(), Map(input["namespaceLabels"]), Map(input["namespaceAnnotations"]));
        }
    }

    private static Dictionary<string, string>? Map(JsonNode? node)
        => node is JsonObject map ? map.ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>(), StringComparer.Ordinal) : null;

    public string ExpectedText => File.ReadAllText(Path.Combine(Folder, "expected.txt")).ReplaceLineEndings("\n");

    public JsonNode ExpectedPod => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!;

    /// <summary>Writes the expected files into the source tree (found from the output folder), in update mode only.</summary>
    public void Record(string text, JsonNode pod)
    {
        var source = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "testassets", "injection", Name));
        File.WriteAllText(Path.Combine(source, "expected.txt"), text);
        File.WriteAllText(Path.Combine(source, "expected.json"), pod.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }
}
