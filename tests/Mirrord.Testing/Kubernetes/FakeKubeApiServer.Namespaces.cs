using System.Text.Json.Nodes;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// Namespaces of the fake API server: <c>GET /api/v1/namespaces/{name}</c>, which the webhook reads
/// for a mesh's namespace-wide opt-in. Answers as the real one does: the object, a 404 Status for a
/// namespace that does not exist (staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go,
/// NewNotFound), a 403 Status when RBAC does not grant <c>get</c>
/// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go, ForbiddenStatus).
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private readonly Dictionary<string, JsonObject> _namespaces = new(StringComparer.Ordinal);

    /// <summary>
    /// When set, a namespace never put here exists with these labels. The webhook only ever asks for
    /// the namespace of a pod being created, which exists; this stands for the opted-in namespaces
    /// its namespaceSelector lets pods through from.
    /// </summary>
    public IReadOnlyDictionary<string, string>? DefaultNamespaceLabels { get; set; }

    /// <summary>Answers namespace reads 403, as RBAC does for an account without <c>get</c> on namespaces.</summary>
    public bool ForbidNamespaces { get; set; }

    /// <summary>
    /// When set, namespace reads wait for this task (an API server that has stopped answering);
    /// <see cref="NamespaceReadHeld"/> completes when the first such read arrives.
    /// </summary>
    public Task? HoldNamespaces { get; set; }

    public TaskCompletionSource NamespaceReadHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void PutNamespace(string name, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["labels"] = Map(labels), ["annotations"] = Map(annotations) };
        lock (_gate)
        {
            metadata["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _namespaces[name] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = metadata };
        }
    }

    private void MapNamespaces(WebApplication app)
        => app.MapGet("/api/v1/namespaces/{name}", async (HttpContext context, string name) =>
        {
            if (HoldNamespaces is { } hold)
            {
                NamespaceReadHeld.TrySetResult();
                await hold.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (ForbidNamespaces)
            {
                await StatusAsync(context, 403, "Forbidden",
                    $"namespaces \"{name}\" is forbidden: User \"system:serviceaccount:mirrord-system:mirrord-webhook\" cannot get resource \"namespaces\" in API group \"\" at the cluster scope");
                return;
            }

            JsonObject? found;
            lock (_gate)
            {
                found = _namespaces.TryGetValue(name, out var stored) ? stored.DeepClone().AsObject() : null;
            }

            if (found is null && DefaultNamespaceLabels is { } labels)
            {
                found = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Map(labels) } };
            }

            if (found is null)
            {
                await StatusAsync(context, 404, "NotFound", $"namespaces \"{name}\" not found");
                return;
            }

            await context.Response.WriteAsJsonAsync(found);
        });

    private static JsonObject Map(IReadOnlyDictionary<string, string>? values)
        => new([.. (values ?? new Dictionary<string, string>()).Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))]);
}
