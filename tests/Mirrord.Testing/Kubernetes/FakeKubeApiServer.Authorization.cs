using System.Globalization;
using System.Text.Json.Nodes;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// Authentication and authorization of the fake API server, in the real one's order: a request
/// with a token that is not accepted gets 401 before anything else
/// (staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go); then RBAC decides per
/// verb and resource, where the verb follows the HTTP method (GET on a named object or subresource
/// is <c>get</c>, on a collection <c>list</c>, with <c>watch=true</c> <c>watch</c>;
/// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), and a refusal is a 403 Status
/// naming the user, verb and resource (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go).
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private readonly HashSet<(string Verb, string Resource)> _denied = [];
    private readonly HashSet<(string Verb, string Resource, string Name)> _deniedNames = [];
    private readonly List<ImpersonatedRequest> _impersonated = [];
    private readonly List<JsonObject> _createdEvents = [];

    /// <summary>The Events created, in order (reason, message, involvedObject...).</summary>
    public IReadOnlyList<JsonObject> CreatedEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _createdEvents.Select(e => e.DeepClone().AsObject())];
            }
        }
    }

    /// <summary>The bearer token the user <c>developer</c> authenticates with.</summary>
    public string Token { get; set; } = "fake-token";

    /// <summary>
    /// The minor version the server reports at <c>/version</c>. From 1.35 a port-forward over
    /// WebSocket needs <c>create</c> on pods/portforward as well as the <c>get</c> its GET is
    /// authorized as (feature gate AuthorizePodWebsocketUpgradeCreatePermission, beta and on by
    /// default from 1.35: content/en/docs/reference/command-line-tools-reference/feature-gates/ in kubernetes/website).
    /// </summary>
    public int MinorVersion { get; set; } = 35;

    /// <summary>The impersonation headers of each request that carried any.</summary>
    public IReadOnlyList<ImpersonatedRequest> Impersonated
    {
        get
        {
            lock (_gate)
            {
                return [.. _impersonated];
            }
        }
    }

    /// <summary>Takes <paramref name="verb"/> on <paramref name="resource"/> (e.g. <c>pods/portforward</c>) away from the user.</summary>
    public void Deny(string verb, string resource)
    {
        lock (_gate)
        {
            _denied.Add((verb, resource));
        }
    }

    /// <summary>
    /// Takes <paramref name="verb"/> on <paramref name="resource"/> of the object <paramref name="name"/> alone away from
    /// the user, as a Role whose rule lists other resourceNames does (RBAC matches a rule's resourceNames against the
    /// request's name; plugin/pkg/auth/authorizer/rbac/rbac.go, ResourceMatches).
    /// </summary>
    public void DenyFor(string verb, string resource, string name)
    {
        lock (_gate)
        {
            _deniedNames.Add((verb, resource, name));
        }
    }

    private bool Allowed(string verb, string resource, string? name = null)
    {
        lock (_gate)
        {
            // A question without a name is about every object: a rule limited to some names does not answer it yes.
            return !_denied.Contains((verb, resource))
                && (name is null ? !_deniedNames.Any(d => d.Verb == verb && d.Resource == resource) : !_deniedNames.Contains((verb, resource, name)));
        }
    }

    private static Task ForbiddenAsync(HttpContext context, string verb, string resource, string? name, string ns)
    {
        var (plain, subresource) = resource.Split('/') is [var r, var sub] ? (r, sub) : (resource, null);
        var what = name is null ? plain : $"{plain} \"{name}\"";
        return StatusAsync(context, 403, "Forbidden",
            $"{what} is forbidden: User \"developer\" cannot {verb} resource \"{plain}{(subresource is null ? string.Empty : "/" + subresource)}\" in API group \"\" in the namespace \"{ns}\"");
    }

    private async Task AuthenticateAsync(HttpContext context, Func<Task> next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var anonymousAllowed = context.Request.Path.StartsWithSegments("/version", StringComparison.Ordinal);
        if (header != $"Bearer {Token}" && !(header.Length == 0 && anonymousAllowed))
        {
            await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
            return;
        }

        var user = context.Request.Headers["Impersonate-User"].ToString();
        var groups = context.Request.Headers["Impersonate-Group"].Select(g => g ?? string.Empty).ToList();
        if (user.Length > 0 || groups.Count > 0)
        {
            lock (_gate)
            {
                _impersonated.Add(new ImpersonatedRequest(context.Request.Path, user, groups));
            }
        }

        await next();
    }

    private void MapAuthorization(WebApplication app)
    {
        // Answered from the same RBAC as the requests themselves (pkg/registry/authorization/selfsubjectaccessreview/rest.go).
        app.MapPost("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", async (HttpContext context) =>
        {
            var review = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var attributes = review["spec"]?["resourceAttributes"];
            var verb = attributes?["verb"]?.GetValue<string>() ?? string.Empty;
            var resource = attributes?["resource"]?.GetValue<string>() ?? string.Empty;
            var subresource = attributes?["subresource"]?.GetValue<string>();
            var name = attributes?["name"]?.GetValue<string>() is { Length: > 0 } named ? named : null;
            var allowed = Allowed(verb, subresource is { Length: > 0 } ? $"{resource}/{subresource}" : resource, name);
            review["status"] = new JsonObject { ["allowed"] = allowed };
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(review);
        });
        // Events as the API server stores them: created by the caller, named from generateName (staging/src/k8s.io/apiserver/pkg/registry/rest/create.go).
        app.MapPost("/api/v1/namespaces/{ns}/events", async (HttpContext context, string ns) =>
        {
            if (!Allowed("create", "events"))
            {
                await ForbiddenAsync(context, "create", "events", null, ns);
                return;
            }

            var created = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            lock (_gate)
            {
                var metadata = created["metadata"]!.AsObject();
                metadata["name"] ??= $"{metadata["generateName"]?.GetValue<string>()}{++_resourceVersion:x}";
                metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                _createdEvents.Add(created.DeepClone().AsObject());
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(created);
        });
        app.MapGet("/version", () => Results.Json(new Dictionary<string, string>
        {
            ["major"] = "1",
            ["minor"] = MinorVersion.ToString(CultureInfo.InvariantCulture),
            ["gitVersion"] = $"v1.{MinorVersion}.0",
            ["platform"] = "linux/amd64",
        }));
    }

    public sealed record ImpersonatedRequest(string Path, string User, IReadOnlyList<string> Groups);
}
