using System.Globalization;
using System.Text.Json.Nodes;
using Mirrord.Injection.Patching;

namespace Mirrord.Testing.Kubernetes;

/// <summary>Secrets and MutatingWebhookConfigurations of the fake API server, as raw JSON: what the webhook's certificate bootstrap reads and writes.</summary>
public sealed partial class FakeKubeApiServer
{
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private int _writes;

    /// <summary>Creates, replaces and patches received, in all.</summary>
    public int Writes => Volatile.Read(ref _writes);

    public void PutObject(string key, JsonObject value)
    {
        lock (_gate)
        {
            value["metadata"] ??= new JsonObject();
            value["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            _objects[key] = value;
        }
    }

    public JsonObject? GetObject(string key)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(key, out var value) ? value.DeepClone().AsObject() : null;
        }
    }

    public static string SecretKey(string ns, string name) => $"secrets/{ns}/{name}";

    public static string WebhookConfigurationKey(string name) => $"mutatingwebhookconfigurations/{name}";

    private void MapObjects(WebApplication app)
    {
        app.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (HttpContext context, string ns, string name) => ReadAuthorizedAsync(context, "secrets", ns, name, SecretKey(ns, name)));
        app.MapPost("/api/v1/namespaces/{ns}/secrets", async (HttpContext context, string ns) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            await WriteAsync(context, SecretKey(ns, body["metadata"]!["name"]!.GetValue<string>()), body, create: true);
        });
        app.MapPut("/api/v1/namespaces/{ns}/secrets/{name}", async (HttpContext context, string ns, string name)
            => await WriteAsync(context, SecretKey(ns, name), (await JsonNode.ParseAsync(context.Request.Body))!.AsObject(), create: false));
        app.MapGet("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{name}", (HttpContext context, string name) => ReadAsync(context, WebhookConfigurationKey(name)));
        app.MapPatch("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{name}", async (HttpContext context, string name) =>
        {
            var operations = (await JsonNode.ParseAsync(context.Request.Body))!.AsArray()
                .Select(op => new JsonPatchOperation(op!["op"]!.GetValue<string>(), op["path"]!.GetValue<string>(), op["value"]?.DeepClone()))
                .ToList();
            JsonObject patched;
            lock (_gate)
            {
                if (!_objects.TryGetValue(WebhookConfigurationKey(name), out var current))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                new JsonPatch(operations).ApplyTo(current);
                current["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                patched = current.DeepClone().AsObject();
                _writes++;
            }

            await context.Response.WriteAsJsonAsync(patched);
        });
    }

    private async Task ReadAsync(HttpContext context, string key)
    {
        var value = GetObject(key);
        if (value is null)
        {
            await StatusAsync(context, 404, "NotFound", $"{key} not found");
            return;
        }

        await context.Response.WriteAsJsonAsync(value);
    }

    private async Task WriteAsync(HttpContext context, string key, JsonObject body, bool create)
    {
        JsonObject stored;
        lock (_gate)
        {
            var exists = _objects.TryGetValue(key, out var current);
            var sentVersion = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if ((create && exists) || (!create && (!exists || sentVersion != current!["metadata"]!["resourceVersion"]!.GetValue<string>())))
            {
                stored = null!;
            }
            else
            {
                body["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                _objects[key] = body;
                stored = body.DeepClone().AsObject();
                _writes++;
            }
        }

        if (stored is null)
        {
            await StatusAsync(context, 409, create ? "AlreadyExists" : "Conflict", $"{key}: conflict");
            return;
        }

        context.Response.StatusCode = create ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(stored);
    }

    private static async Task StatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["status"] = "Failure",
            ["reason"] = reason,
            ["code"] = code,
            ["message"] = message,
        });
    }
}
