using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Mirrord.Injection;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// A FAKE Kubernetes API server (there is none on the machines that run these tests): a real
/// Kestrel app that serves what <c>mirrord-cli</c> asks of a real one, over the same HTTP API and
/// with the real client library on the other end: pod lists and watches with label and field
/// selectors, deployments and statefulsets, and the port-forward WebSocket
/// (<c>v4.channel.k8s.io</c> framing, port prefix first on each channel), relayed to loopback
/// endpoints that stand for the pods' ports.
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<int, int>> _podPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _owners = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, V1Pod Pod)> _events = [];
    private readonly List<Channel<(long, string, V1Pod)>> _watchers = [];
    private long _resourceVersion = 100;
    private int _portForwards;

    private FakeKubeApiServer(WebApplication app, string @namespace)
    {
        _app = app;
        Namespace = @namespace;
    }

    public string Namespace { get; }

    public Uri Address => new(_app.Urls.First());

    /// <summary>How many port-forward WebSockets have been opened.</summary>
    public int PortForwards => Volatile.Read(ref _portForwards);

    public static async Task<FakeKubeApiServer> StartAsync(string @namespace = "shop")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeKubeApiServer(app, @namespace);
        app.UseWebSockets();
        app.MapGet("/api/v1/namespaces/{ns}/pods", server.PodsAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/portforward", server.PortForwardAsync);
        app.MapGet("/apis/apps/v1/namespaces/{ns}/{kind}/{name}", server.OwnerAsync);
        server.MapObjects(app);
        server.MapNamespaces(app);
        await app.StartAsync();
        return server;
    }

    /// <summary>A kubeconfig whose current context points here, with <see cref="Namespace"/> as its namespace.</summary>
    public string WriteKubeconfig(string? contextNamespace = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake
              cluster:
                server: {Address.ToString().TrimEnd('/')}
            users:
            - name: developer
              user:
                token: fake-token
            contexts:
            - name: fake
              context:
                cluster: fake
                user: developer
                namespace: {contextNamespace ?? Namespace}
            """);
        return path;
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
    public void AddPod(string name, IDictionary<string, string> labels, IDictionary<int, int> ports, bool injected = true, bool ready = true, string redirect = "iptables")
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

        _events.Add((version, type, snapshot));
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite((version, type, snapshot));
        }
    }

    private async Task PodsAsync(HttpContext context, string ns)
    {
        var query = context.Request.Query;
        var matches = Selector(query["labelSelector"], query["fieldSelector"]);
        if (query["watch"] == "true" || query["watch"] == "1")
        {
            await WatchAsync(context, matches, long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out var from) ? from : 0);
            return;
        }

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

    private async Task WatchAsync(HttpContext context, Func<V1Pod, bool> matches, long from)
    {
        var channel = Channel.CreateUnbounded<(long, string, V1Pod)>();
        lock (_gate)
        {
            foreach (var e in _events.Where(e => e.Version > from))
            {
                channel.Writer.TryWrite(e);
            }

            _watchers.Add(channel);
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        try
        {
            await foreach (var (_, type, pod) in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                if (matches(pod))
                {
                    var line = $"{{\"type\":\"{type}\",\"object\":{KubernetesJson.Serialize(pod)}}}\n";
                    await context.Response.WriteAsync(line, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client stopped watching.
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
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
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
