using System.Text.Json.Nodes;
using Mirrord.Injection;
using Mirrord.Injection.Patching;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Manifests;

/// <summary>
/// <c>mirrord-cli inject</c>: runs the webhook's <see cref="PodInjector"/> over the pod of every
/// workload in a multi-document YAML file (the items of a <c>kind: List</c> included) and writes the file back. Documents that are not
/// workloads, or that get no patch, are copied byte for byte; a patched document is re-emitted
/// from its node tree (keys, order and scalar styles kept; its comments are not). A Namespace
/// document in the same input says what its namespace carries (labels, and annotations such as
/// Linkerd's opt-in); other namespaces get what the flags say.
/// </summary>
internal sealed class ManifestInjector
{
    private readonly PodInjector _injector;
    private readonly string _defaultNamespace;
    private readonly IReadOnlyDictionary<string, string>? _namespaceLabels;
    private readonly IReadOnlyDictionary<string, string>? _namespaceAnnotations;
    private Dictionary<string, (IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)> _documented = [];

    public ManifestInjector(
        PodInjector injector, string defaultNamespace, IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyDictionary<string, string>? namespaceAnnotations = null)
    {
        _injector = injector;
        _defaultNamespace = defaultNamespace;
        _namespaceLabels = namespaceLabels;
        _namespaceAnnotations = namespaceAnnotations;
    }

    /// <summary>Decides every workload; returns the new text and what happened. Throws <see cref="YamlException"/> naming the document on bad YAML.</summary>
    public (string Output, IReadOnlyList<WorkloadReport> Reports) Inject(string text)
    {
        var output = new System.Text.StringBuilder();
        var reports = new List<WorkloadReport>();
        var chunks = ManifestChunk.Split(text);
        _documented = NamespaceDocuments(chunks);
        var index = 0;
        foreach (var chunk in chunks)
        {
            output.Append(chunk.Separator);
            if (chunk.IsEmpty)
            {
                output.Append(chunk.Body);
                continue;
            }

            index++;
            var (emitted, documentReports) = InjectDocument(chunk.Body, index);
            output.Append(emitted ?? chunk.Body);
            reports.AddRange(documentReports);
        }

        return (output.ToString(), reports);
    }

    private (string? Emitted, IReadOnlyList<WorkloadReport> Reports) InjectDocument(string body, int index)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(body));
        }
        catch (YamlException ex)
        {
            throw new YamlException(ex.Start, ex.End, $"document {index}: {ex.Message}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, []);
        }

        // What `kubectl get -o yaml` prints for several objects: a List whose items are the objects,
        // injected inside as istioctl kube-inject and linkerd inject do.
        var document = YamlJson.ToJson(root)!.AsObject();
        var items = StringAt(document, "kind") == "List" && document["items"] is JsonArray list
            ? list.Select((item, i) => (Object: item as JsonObject, Prefix: $"/items/{i}", Label: $" (List item {i + 1})"))
            : [(Object: document, Prefix: string.Empty, Label: string.Empty)];
        var reports = new List<WorkloadReport>();
        var changed = false;
        foreach (var (item, prefix, label) in items)
        {
            if (item is null || InjectObject(item, index, label) is not { } outcome)
            {
                continue;
            }

            reports.Add(outcome.Report);
            foreach (var operation in outcome.Operations)
            {
                AddToYaml(root, prefix + operation.Path, operation.Value);
                changed = true;
            }
        }

        if (!changed)
        {
            return (null, reports);
        }

        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var emitted = writer.ToString();

        // YamlDotNet closes each document with "..."; the next document's "---" already does that.
        emitted = emitted.EndsWith("...\n", StringComparison.Ordinal) ? emitted[..^4] : emitted.TrimEnd('.', '\n', '\r') + "\n";
        return (emitted, reports);
    }

    /// <summary>Decides one workload object; its patch's operations come back with paths from the object's root.</summary>
    private (WorkloadReport Report, IEnumerable<JsonPatchOperation> Operations)? InjectObject(JsonObject workloadObject, int index, string label)
    {
        var kind = StringAt(workloadObject, "kind");
        if (WorkloadKinds.TemplatePointer(kind) is not { } pointer)
        {
            return null;
        }

        var workload = $"{kind!.ToLowerInvariant()}/{StringAt(workloadObject["metadata"], "name") ?? "(unnamed)"}{label}";
        if (Navigate(workloadObject, pointer) is not JsonObject pod)
        {
            return (new WorkloadReport(index, workload, InjectionResult.Deny($"{pointer} is missing or not an object")), []);
        }

        var ns = StringAt(workloadObject["metadata"], "namespace") ?? _defaultNamespace;
        var context = _documented.TryGetValue(ns, out var documented)
            ? new InjectionContext(ns, documented.Labels, documented.Annotations)
            : new InjectionContext(ns, _namespaceLabels, _namespaceAnnotations);
        var known = context.NamespaceLabels is not null || context.NamespaceAnnotations is not null;
        var result = _injector.Inject(pod, context);
        var operations = result.Outcome == InjectionOutcome.Injected
            ? result.Patch.Operations.Select(operation => operation with { Path = pointer + operation.Path })
            : [];
        return (new WorkloadReport(index, workload, result, known), operations);
    }

    private static Dictionary<string, (IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>)> NamespaceDocuments(IEnumerable<ManifestChunk> chunks)
    {
        var found = new Dictionary<string, (IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>)>(StringComparer.Ordinal);
        foreach (var chunk in chunks.Where(c => !c.IsEmpty && c.Body.Contains("Namespace", StringComparison.Ordinal)))
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(chunk.Body));
            }
            catch (YamlException)
            {
                // The main pass reports it, naming the document.
                continue;
            }

            if (stream.Documents is [{ RootNode: YamlMappingNode root }]
                && YamlJson.ToJson(root) is JsonObject document
                && StringAt(document, "kind") == "Namespace"
                && StringAt(document["metadata"], "name") is { } name)
            {
                found[name] = (Strings(document["metadata"]?["labels"]), Strings(document["metadata"]?["annotations"]));
            }
        }

        return found;
    }

    private static Dictionary<string, string> Strings(JsonNode? map)
        => (map as JsonObject)?.Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => pair.Value!.ToString(), StringComparer.Ordinal) ?? [];

    private static void AddToYaml(YamlMappingNode root, string path, JsonNode? value)
    {
        var tokens = path.Split('/').Skip(1).Select(JsonPointer.Unescape).ToArray();
        YamlNode parent = root;
        foreach (var token in tokens[..^1])
        {
            parent = parent switch
            {
                YamlMappingNode mapping => mapping.Children[new YamlScalarNode(token)],
                YamlSequenceNode sequence => sequence.Children[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)],
                _ => throw new InvalidOperationException($"{path}: cannot descend into a scalar"),
            };
        }

        var last = tokens[^1];
        var node = YamlJson.ToYaml(value);
        switch (parent)
        {
            case YamlMappingNode mapping:
                mapping.Children[new YamlScalarNode(last)] = node;
                break;
            case YamlSequenceNode sequence:
                sequence.Children.Insert(last == "-" ? sequence.Children.Count : int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), node);
                break;
            default:
                throw new InvalidOperationException($"{path}: the parent is a scalar");
        }
    }

    private static JsonNode? Navigate(JsonNode root, string pointer)
        => pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate<string, JsonNode?>(root, (node, token) => node?[token]);

    private static string? StringAt(JsonNode? node, string key)
        => node?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
