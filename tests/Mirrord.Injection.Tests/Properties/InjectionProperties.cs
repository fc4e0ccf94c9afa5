using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Mirrord.Injection.Tests.Properties;

/// <summary>
/// The injector over golden pods with hostile values dropped in anywhere (annotations, ports,
/// containers, metadata): it never throws; a denial names the annotation or port at fault; a patch applies cleanly
/// with an independent JSON Patch implementation, only adds, and is not applied twice.
/// </summary>
public sealed class InjectionProperties
{
    private static readonly PodInjector s_injector = new(new InjectionOptions { SidecarImage = "ghcr.io/mirrord-webhook/sidecar:test" });

    private static readonly JsonObject[] s_pods = [.. GoldenCase.All().Select(c => GoldenCase.Load((string)c[0]).Pod)];

    private static readonly string[] s_annotationKeys =
        [PodAnnotations.Inject, PodAnnotations.Ports, PodAnnotations.Config, PodAnnotations.SidecarCpuRequest, PodAnnotations.SidecarMemoryRequest, PodAnnotations.SidecarMemoryLimit, PodAnnotations.Status, "mirrord.dev/unknown"];

    private static readonly string[] s_hostileText =
    [
        "", "true", "false", "TRUE", "yes", "8080", "http", "0", "-1", "65536", "8080,http,,", "a/b~c", "\u0000", "\u202e💥", "${jndi:ldap://x}",
        "\"quoted\"", "{\"mode\": \"steal\"}", "{ \"http_filter\": { \"header_filter\": \"(a+)+$\" } }", "{ \"mode\": ", "64Mi", "1e9", "-5Mi",
        new string('x', 70_000),
    ];

    private static readonly Gen<JsonNode?> s_hostileValue = Gen.OneOf(
        Gen.OneOfConst(s_hostileText).Select(text => (JsonNode?)JsonValue.Create(text)),
        Gen.OneOfConst<JsonNode?>(null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(65536), JsonValue.Create(1.5), JsonValue.Create(true)),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonObject()),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonArray(1, "a", null)));

    /// <summary>A golden pod with one to four changes: a value replaced anywhere, or a mirrord annotation set to something odd.</summary>
    private static readonly Gen<JsonObject> s_hostilePod =
        Gen.Select(Gen.Int[0, s_pods.Length - 1], Gen.Select(Gen.Int[0, 10_000], Gen.Bool, Gen.OneOfConst(s_annotationKeys), s_hostileValue).Array[1, 4], (index, changes) =>
        {
            var pod = s_pods[index].DeepClone().AsObject();
            foreach (var (at, annotate, key, value) in changes)
            {
                if (annotate)
                {
                    var metadata = pod["metadata"] as JsonObject ?? (JsonObject)(pod["metadata"] = new JsonObject());
                    var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
                    annotations[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.DeepClone() : JsonValue.Create(value?.ToJsonString() ?? "");
                }
                else
                {
                    Replace(pod, at, value);
                }
            }

            return pod;
        });

    [Fact]
    public void HostilePod_IsInjectedSkippedOrDeniedByName_NeverThrows()
    {
        s_hostilePod.Sample(pod =>
        {
            var result = s_injector.Inject(pod.DeepClone().AsObject(), new InjectionContext("shop", null));

            switch (result.Outcome)
            {
                case InjectionOutcome.Denied:
                    Assert.True(result.Reason.StartsWith("annotation mirrord.dev/", StringComparison.Ordinal) || result.Reason.StartsWith("container port ", StringComparison.Ordinal), result.Reason);
                    break;
                case InjectionOutcome.Injected when PodInjector.IsInjected(pod):
                    AssertPatchTouchesOnlyWhatMirrordAdded(pod, result);
                    break;
                case InjectionOutcome.Injected:
                    AssertPatchChangesOnlyWhatItRecords_AndAppliesOnce(pod, result);
                    break;
                default:
                    Assert.Empty(result.Patch.ToJson().Trim('[', ']'));
                    break;
            }
        }, iter: 2000);
    }

    /// <summary>An already injected pod is only ever brought up to date: its policy, a mesh repair; the user's parts stay as they are.</summary>
    private static void AssertPatchTouchesOnlyWhatMirrordAdded(JsonObject pod, InjectionResult result)
    {
        var ours = new[] { "initContainers", "containers" }
            .SelectMany(list => (pod["spec"]?[list] as JsonArray ?? []).Select((c, i) => (Path: $"/spec/{list}/{i}", Container: c as JsonObject)))
            .Where(c => c.Container?["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n is PodAnnotations.InitContainer or PodAnnotations.SidecarContainer)
            .Select(c => c.Path + "/")
            .Append("/metadata/annotations/mirrord.dev~1status")
            .ToList();
        Assert.All(result.Patch.Operations, op => Assert.Contains(ours, prefix => op.Path.StartsWith(prefix, StringComparison.Ordinal) || op.Path == prefix.TrimEnd('/')));
    }

    private static void AssertPatchChangesOnlyWhatItRecords_AndAppliesOnce(JsonObject pod, InjectionResult result)
    {
        var patched = pod.DeepClone();
        JsonSerializer.Deserialize<JsonPatchDocument>(result.Patch.ToJson())!.ApplyTo(patched);

        Assert.NotEqual(InjectionOutcome.Injected, s_injector.Inject(patched.DeepClone().AsObject(), new InjectionContext("shop", null)).Outcome);
        // Kubernetes decodes a null or empty member as an absent one, so a patch may fill one. A status
        // annotation without the containers is a leftover the patch replaces; rewritten probes are recorded in the new one.
        var original = pod.DeepClone().AsObject();
        (original["metadata"]?["annotations"] as JsonObject)?.Remove(PodAnnotations.Status);
        Assert.True(JsonNode.DeepEquals(WithoutEmpty(original), WithoutEmpty(WithoutInjection(patched.AsObject()))), $"the patch changed more than it added and recorded:\n{result.Patch.ToJson()}");
    }

    private static JsonNode WithoutEmpty(JsonNode node)
    {
        var copy = node.DeepClone();

        // Deepest first, so an object that only held empties becomes empty itself before its parent is looked at.
        foreach (var obj in Descendants(copy).OfType<JsonObject>().Reverse().ToList())
        {
            foreach (var key in obj.Where(pair => pair.Value is null or JsonObject { Count: 0 } or JsonArray { Count: 0 }).Select(pair => pair.Key).ToList())
            {
                obj.Remove(key);
            }
        }

        return copy;
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(pair => pair.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().SelectMany(Descendants))
        {
            yield return child;
        }
    }

    /// <summary>The patched pod with the two injected containers, their volumes and the status annotation taken out again.</summary>
    private static JsonObject WithoutInjection(JsonObject patched)
    {
        var pod = patched.DeepClone().AsObject();
        var init = pod["spec"]!["initContainers"]!.AsArray();
        foreach (var container in init.Where(c => c is JsonObject o && o["name"] is JsonValue name && name.ToString() is PodAnnotations.InitContainer or PodAnnotations.SidecarContainer).ToList())
        {
            init.Remove(container);
        }

        // The Secret volumes for HTTPS stealing and the sidecar's private volume are the injector's too.
        if (pod["spec"]!["volumes"] is JsonArray volumes)
        {
            foreach (var volume in volumes.Where(v => v is JsonObject o && o["name"] is JsonValue name && name.ToString() is "mirrord-tls" or "mirrord-tls-client" or "mirrord-tls-client-ca" or "mirrord-admin").ToList())
            {
                volumes.Remove(volume);
            }
        }

        var annotations = pod["metadata"]!["annotations"]!.AsObject();
        Assert.True(InjectionStatus.TryParse(annotations[PodAnnotations.Status]!.GetValue<string>(), out var status, out var error), error);
        foreach (var probe in status.Probes ?? [])
        {
            var containers = pod["spec"]!["containers"]!.AsArray();
            var container = containers.Select((c, i) => (Node: c as JsonObject, Name: c is JsonObject o && o["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : $"#{i}"))
                .Single(c => c.Name == probe.Container).Node!;
            var rewritten = container[probe.Probe]!.AsObject();
            rewritten.Remove("httpGet");
            rewritten["tcpSocket"] = probe.TcpSocket.DeepClone();
        }

        annotations.Remove(PodAnnotations.Status);
        return pod;
    }

    /// <summary>Replaces the <paramref name="at"/>-th node (depth first, modulo the count) of the pod with <paramref name="value"/>.</summary>
    private static void Replace(JsonObject pod, int at, JsonNode? value)
    {
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(pod, slots);
        var (parent, key) = slots[at % slots.Count];
        var copy = value?.DeepClone();
        if (parent is JsonObject obj)
        {
            obj[(string)key] = copy;
        }
        else
        {
            parent.AsArray()[(int)key] = copy;
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    slots.Add((obj, key));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }
}
