using System.Globalization;
using k8s;
using k8s.Models;
using Mirrord.Injection;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// A FAKE Kubernetes API server (there is none on the machines that run these tests): a real
/// Kestrel app that serves what <c>mirrord-cli</c> and the webhook ask of a real one, over the same
/// HTTP API and with the real client library on the other end: HTTPS with a CA of its own, bearer
/// tokens, RBAC per verb, pod lists and watches with label and field selectors, deployments and
/// statefulsets, and the port-forward WebSocket as the API server and kubelet serve it. It can be
/// restarted on the same port: objects survive (they live in etcd), watches and their history do not.
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<int, int>> _podPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _owners = new(StringComparer.Ordinal);
    private readonly int _port;
    private WebApplication _app;
    private long _resourceVersion = 100;
    private int _portForwards;
    private int _podLists;

    private FakeKubeApiServer(string @namespace, int port, FakeApiCertificates certificates)
    {
        Namespace = @namespace;
        _port = port;
        Certificates = certificates;
        _app = null!;
    }

    public string Namespace { get; }

    public Uri Address => new($"https://127.0.0.1:{_port}");

    /// <summary>The CA and serving certificate; with a TLS server name, the handshake only succeeds for that SNI.</summary>
    public FakeApiCertificates Certificates { get; }

    /// <summary>How many pod lists (not watches) were served.</summary>
    public int PodLists => Volatile.Read(ref _podLists);

    /// <summary>How many port-forward WebSockets have been opened.</summary>
    public int PortForwards => Volatile.Read(ref _portForwards);

    /// <summary>Starts the server; with <paramref name="tlsServerName"/>, it stands behind a proxy that routes by SNI (kubeconfig <c>tls-server-name</c>).</summary>
    public static async Task<FakeKubeApiServer> StartAsync(string @namespace = "shop", string? tlsServerName = null)
    {
        var server = new FakeKubeApiServer(@namespace, FreePort.Next(), FakeApiCertificates.Create(tlsServerName));
        server._app = server.Build();
        await server._app.StartAsync();
        return server;
    }

    /// <summary>
    /// Stops and starts again on the same port, as an API server restart looks to its clients: open
    /// watches end, and the new watch cache starts at the current resourceVersion, so a watch resumed
    /// from an older one is told it expired (410).
    /// </summary>
    public async Task RestartAsync()
    {
        EndWatches();
        AbortPortForwards();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Compact();
        _app = Build();
        await _app.StartAsync();
    }

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, _port, listen =>
        {
            listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https => https.ServerCertificateSelector = (_, name) => Certificates.Select(name));
        }));
        var app = builder.Build();
        app.Use(AuthenticateAsync);
        app.UseWebSockets();
        app.MapGet("/api/v1/namespaces/{ns}/pods", PodsAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/portforward", PortForwardAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/exec", ExecAsync);
        app.MapGet("/apis/apps/v1/namespaces/{ns}/{kind}/{name}", OwnerAsync);
        MapAuthorization(app);
        MapObjects(app);
        MapConfiguration(app);
        MapNamespaces(app);
        return app;
    }

    /// <summary>A kubeconfig whose current context points here, with <see cref="Namespace"/> as its namespace.</summary>
    public string WriteKubeconfig(string? contextNamespace = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, KubeconfigText(contextNamespace));
        return path;
    }

    /// <summary>
    /// The kubeconfig text: this server with its CA, the user <c>developer</c> with <paramref name="user"/>
    /// as its credentials (a bearer token by default), and <paramref name="cluster"/> lines added to the cluster.
    /// </summary>
    public string KubeconfigText(string? contextNamespace = null, string? user = null, string? cluster = null)
    {
        var indentedUser = (user ?? $"token: {Token}").Replace("\n", "\n    ", StringComparison.Ordinal);
        var tlsServerName = Certificates.TlsServerName is { } sni ? $"\n    tls-server-name: {sni}" : string.Empty;
        var extraCluster = cluster is null ? string.Empty : "\n    " + cluster.Replace("\n", "\n    ", StringComparison.Ordinal);
        return $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake
              cluster:
                server: {Address.ToString().TrimEnd('/')}
                certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Certificates.CaPem))}{tlsServerName}{extraCluster}
            users:
            - name: developer
              user:
                {indentedUser}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: developer
                namespace: {contextNamespace ?? Namespace}
            """;
    }

    public void AddDeployment(string name, IDictionary<string, string> matchLabels)
    {
        lock (_gate)
        {
            _owners[$"deployments/{name}"] = new V1Deployment
            {
                ApiVersion = "apps/v1",
                Kind = "Deployment",
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
                Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(matchLabels) } },
            };
        }
    }

    /// <summary>
    /// Adds a running pod. <paramref name="ports"/> maps the pod's ports (15081 for the sidecar's
    /// session endpoint) to the loopback ports that serve them; <paramref name="injected"/> puts the
    /// webhook's status annotation on it, with <paramref name="redirect"/> as its redirect mode.
    /// </summary>
    public void AddPod(
        string name, IDictionary<string, string> labels, IDictionary<int, int> ports, bool injected = true, bool ready = true, string redirect = "iptables", V1PodSpec? spec = null)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string>(labels),
                Annotations = injected
                    ? new Dictionary<string, string> { [PodAnnotations.Status] = new InjectionStatus("0.1.0", [8080], redirect).ToJson() }
                    : new Dictionary<string, string>(),
            },
            Spec = spec,
            Status = Status(ready),
        };
        lock (_gate)
        {
            _podPorts[name] = new Dictionary<int, int>(ports);
            Publish("ADDED", pod);
        }
    }

    public void SetReady(string name, bool ready)
    {
        lock (_gate)
        {
            var pod = _pods[name];
            pod.Status = Status(ready);
            Publish("MODIFIED", pod);
        }
    }

    public void DeletePod(string name)
    {
        lock (_gate)
        {
            Publish("DELETED", _pods[name]);
        }
    }

    private static V1PodStatus Status(bool ready) => new()
    {
        Phase = "Running",
        Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        PodIP = "10.244.1.7",
        HostIP = "192.168.49.2",
    };

    private void Publish(string type, V1Pod pod)
    {
        var version = ++_resourceVersion;
        pod.Metadata.ResourceVersion = version.ToString(CultureInfo.InvariantCulture);
        var snapshot = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
        if (type == "DELETED")
        {
            _pods.Remove(pod.Name());
        }
        else
        {
            _pods[pod.Name()] = pod;
        }

        Record(version, type, snapshot);
    }

    private async Task PodsAsync(HttpContext context, string ns)
    {
        var query = context.Request.Query;
        var matches = Selector(query["labelSelector"], query["fieldSelector"]);
        if (!Allowed(query["watch"] == "true" || query["watch"] == "1" ? "watch" : "list", "pods"))
        {
            await ForbiddenAsync(context, query["watch"] == "true" || query["watch"] == "1" ? "watch" : "list", "pods", null, ns);
            return;
        }

        if (query["watch"] == "true" || query["watch"] == "1")
        {
            await WatchAsync(context, matches, query);
            return;
        }

        Interlocked.Increment(ref _podLists);
        V1PodList list;
        lock (_gate)
        {
            list = new V1PodList
            {
                ApiVersion = "v1",
                Kind = "PodList",
                Metadata = new V1ListMeta { ResourceVersion = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                Items = [.. _pods.Values.Where(pod => ns == Namespace && matches(pod))],
            };
        }

        await WriteJsonAsync(context, list);
    }

    private async Task OwnerAsync(HttpContext context, string ns, string kind, string name)
    {
        object? owner;
        lock (_gate)
        {
            _owners.TryGetValue($"{kind}/{name}", out owner);
        }

        if (owner is null || ns != Namespace)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"{{kind}}.apps \"{{name}}\" not found"}""");
            return;
        }

        await WriteJsonAsync(context, owner);
    }

    private static async Task WriteJsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(KubernetesJson.Serialize(value));
    }

    private static Func<V1Pod, bool> Selector(string? labelSelector, string? fieldSelector)
    {
        var labels = Pairs(labelSelector);
        var fields = Pairs(fieldSelector);
        return pod => labels.All(pair => pod.Metadata.Labels?.TryGetValue(pair.Key, out var value) == true && value == pair.Value)
            && fields.All(pair => pair.Key == "metadata.name" && pod.Name() == pair.Value);
    }

    private static Dictionary<string, string> Pairs(string? selector)
        => (selector ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair.Length > 1 ? pair[1].Trim() : string.Empty);

    public async ValueTask DisposeAsync()
    {
        EndWatches();
        AbortPortForwards();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
