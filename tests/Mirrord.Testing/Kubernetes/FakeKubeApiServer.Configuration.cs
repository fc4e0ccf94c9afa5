using System.Text.Json.Nodes;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// ConfigMaps, Secrets and Services as a container's environment is read from them (<c>mirrord-cli env</c>, <c>exec</c>):
/// get of one object, list of a namespace's Services, each authorized per verb and name as the RBAC authorizer does
/// (plugin/pkg/auth/authorizer/rbac/rbac.go), a missing object answered 404 with a Status.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    public static string ConfigMapKey(string ns, string name) => $"configmaps/{ns}/{name}";

    public static string ServiceKey(string ns, string name) => $"services/{ns}/{name}";

    /// <summary>Stores a ConfigMap with <paramref name="data"/>.</summary>
    public void PutConfigMap(string ns, string name, IReadOnlyDictionary<string, string> data)
        => PutObject(ConfigMapKey(ns, name), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        });

    /// <summary>Stores a Secret with <paramref name="data"/> (base64-encoded, as the API serves it).</summary>
    public void PutSecret(string ns, string name, IReadOnlyDictionary<string, string> data)
        => PutObject(SecretKey(ns, name), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject(data.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(p.Value))))),
        });

    /// <summary>Stores a Service with a cluster IP and ports (name, port, protocol).</summary>
    public void PutService(string ns, string name, string clusterIp, params (string? Name, int Port, string Protocol)[] ports)
        => PutObject(ServiceKey(ns, name), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = clusterIp,
                ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["port"] = p.Port, ["protocol"] = p.Protocol })]),
            },
        });

    private void MapConfiguration(WebApplication app)
    {
        app.MapGet("/api/v1/namespaces/{ns}/configmaps/{name}", (HttpContext context, string ns, string name) => ReadAuthorizedAsync(context, "configmaps", ns, name, ConfigMapKey(ns, name)));
        app.MapGet("/api/v1/namespaces/{ns}/services/{name}", (HttpContext context, string ns, string name) => ReadAuthorizedAsync(context, "services", ns, name, ServiceKey(ns, name)));
        app.MapGet("/api/v1/namespaces/{ns}/services", async (HttpContext context, string ns) =>
        {
            if (!Allowed("list", "services"))
            {
                await ForbiddenAsync(context, "list", "services", null, ns);
                return;
            }

            List<JsonNode> items;
            lock (_gate)
            {
                items = [.. _objects.Where(o => o.Key.StartsWith($"services/{ns}/", StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.DeepClone())];
            }

            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ServiceList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
                ["items"] = new JsonArray([.. items]),
            });
        });
    }

    private async Task ReadAuthorizedAsync(HttpContext context, string resource, string ns, string name, string key)
    {
        if (!Allowed("get", resource, name))
        {
            await ForbiddenAsync(context, "get", resource, name, ns);
            return;
        }

        await ReadAsync(context, key);
    }
}
