using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Mirrord.Injection.Tests;

/// <summary>
/// Realistic pods through the injector: the decision and warnings are compared with
/// <c>expected.txt</c>, and the patch, applied by an independent JSON Patch implementation, must
/// turn the input into <c>expected.json</c>; a second pass over that output must patch nothing.
/// </summary>
public sealed class GoldenInjectionTests
{
    private static readonly PodInjector s_injector = new(new InjectionOptions
    {
        SidecarImage = "registry.example/mirrord/sidecar:0.1.0",
        OwnNamespace = "mirrord-system",
    });

    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void Injection_MatchesTheGoldenFiles(string name)
    {
        var golden = GoldenCase.Load(name);
        var pod = golden.Pod;

        var result = s_injector.Inject(pod, golden.Context);
        var patched = ApplyIndependently(pod, result.Patch.ToJson());

        var text = Describe(result);
        if (GoldenCase.Updating)
        {
            golden.Record(text, patched);
        }

        Assert.Equal(golden.ExpectedText, text);
        Assert.True(JsonNode.DeepEquals(golden.ExpectedPod, patched), $"patched pod differs from expected.json:\n{patched.ToJsonString()}");
        Assert.Equal(result.Outcome == InjectionOutcome.Injected, !result.Patch.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void SecondPass_OverTheOutput_PatchesNothing(string name)
    {
        var golden = GoldenCase.Load(name);
        var output = golden.ExpectedPod.AsObject();

        var again = s_injector.Inject(output, golden.Context);

        Assert.True(again.Patch.IsEmpty, $"second pass produced {again.Patch.ToJson()}");
    }

    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void OwnPatchApplier_AgreesWithTheIndependentOne(string name)
    {
        var golden = GoldenCase.Load(name);
        var pod = golden.Pod;
        var result = s_injector.Inject(pod, golden.Context);
        var ours = pod.DeepClone();

        result.Patch.ApplyTo(ours);

        Assert.True(JsonNode.DeepEquals(ApplyIndependently(pod, result.Patch.ToJson()), ours));
    }

    [Fact]
    public void Cases_AreEnoughAndCoverEveryOutcome()
    {
        var outcomes = GoldenCase.All().Select(c => GoldenCase.Load((string)c[0]).ExpectedText.Split('\n')[0]).ToList();

        Assert.True(outcomes.Count >= 15, $"only {outcomes.Count} golden cases");
        Assert.Contains("outcome: Injected", outcomes);
        Assert.Contains("outcome: Skipped", outcomes);
        Assert.Contains("outcome: Denied", outcomes);
    }

    private static JsonNode ApplyIndependently(JsonObject pod, string patch)
    {
        var document = JsonSerializer.Deserialize<JsonPatchDocument>(patch)!;
        var target = pod.DeepClone();
        document.ApplyTo(target);
        return target;
    }

    private static string Describe(InjectionResult result)
    {
        var text = new StringBuilder();
        text.Append("outcome: ").Append(result.Outcome).Append('\n');
        text.Append("reason: ").Append(result.Reason).Append('\n');
        foreach (var rule in result.Policy ?? [])
        {
            text.Append("policy: ").Append(rule).Append('\n');
        }

        foreach (var rewrite in result.Rewrites ?? [])
        {
            text.Append("probe: ").Append(rewrite).Append('\n');
        }

        foreach (var warning in result.Warnings)
        {
            text.Append("warning: ").Append(warning).Append('\n');
        }

        return text.ToString();
    }
}
