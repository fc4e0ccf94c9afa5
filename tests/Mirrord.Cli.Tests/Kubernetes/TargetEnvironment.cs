using System.Globalization;
using Mirrord.Testing;
using Mirrord.Testing.Kubernetes;
using Mirrord.Tunnel;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// A deployment <c>orders</c> in namespace <c>shop</c> on the FAKE API server, with replicas that are
/// real apps behind real in-process sidecars, and a laptop app. Replicas are built up front (their
/// ports go into the config) and published to the API server when a test says so.
/// </summary>
public sealed class TargetEnvironment : IAsyncDisposable
{
    public static readonly Dictionary<string, string> Labels = new() { ["app"] = "orders" };

    private readonly List<string> _files = [];

    private TargetEnvironment(FakeKubeApiServer api, TestApp laptop, IReadOnlyList<Replica> replicas)
    {
        Api = api;
        Laptop = laptop;
        Replicas = replicas;
        Kubeconfig = api.WriteKubeconfig();
        _files.Add(Kubeconfig);
    }

    public FakeKubeApiServer Api { get; }

    public TestApp Laptop { get; }

    public IReadOnlyList<Replica> Replicas { get; }

    public string Kubeconfig { get; }

    /// <summary>Starts the environment; with <paramref name="tlsServerName"/>, the API server is only reachable with that SNI.</summary>
    public static Task<TargetEnvironment> StartAsync(
        int replicas, string? tlsServerName = null, IDictionary<string, string?>? sidecarSettings = null, TimeProvider? sidecarTime = null)
        => StartAsync(replicas, tlsServerName, _ => sidecarSettings, sidecarTime);

    /// <summary>Starts the environment with each replica's sidecar settings made from its app's port.</summary>
    public static async Task<TargetEnvironment> StartAsync(
        int replicas, string? tlsServerName, Func<int, IDictionary<string, string?>?> sidecarSettingsFor, TimeProvider? sidecarTime = null)
    {
        var api = await FakeKubeApiServer.StartAsync("shop", tlsServerName);
        api.AddDeployment("orders", Labels);
        var sidecars = new Dictionary<string, SidecarHost>();
        api.Exec = (pod, container, command) => SidecarContainerExec.RunAsync(container, command, sidecars[pod].AdminSocket);
        var laptop = await TestApp.StartAsync("laptop");
        var list = new List<Replica>();
        for (var i = 0; i < replicas; i++)
        {
            var name = $"orders-{(char)('a' + i)}";
            var app = await TestApp.StartAsync(name);
            list.Add(new Replica(name, app, sidecars[name] = await SidecarHost.StartAsync([app.HttpPort], sidecarSettingsFor(app.HttpPort), time: sidecarTime)));
        }

        return new TargetEnvironment(api, laptop, list);
    }

    /// <summary>Makes the replica a ready pod of the deployment, reachable through port-forward.</summary>
    /// <param name="index">Which replica.</param>
    /// <param name="injected">Whether it carries the webhook's status annotation.</param>
    /// <param name="redirect">The redirect mode in that annotation.</param>
    /// <param name="sessionPort">Where its port-forwards to 15081 go (a relay in front of the sidecar), if not to the sidecar itself.</param>
    /// <param name="spec">The pod's spec (its containers and probes), if the test needs one.</param>
    public Replica Publish(int index, bool injected = true, string redirect = "iptables", int? sessionPort = null, k8s.Models.V1PodSpec? spec = null)
    {
        var replica = Replicas[index];
        Api.AddPod(replica.Name, Labels, new Dictionary<int, int> { [SidecarPorts.Session] = sessionPort ?? replica.Sidecar.SessionPort }, injected, redirect: redirect, spec: spec);
        return replica;
    }

    /// <summary>A mirrord.json stealing requests with <c>X-Dev: alice</c> on every replica's port, delivered to the laptop.</summary>
    public string WriteConfig(string? target = null) => WriteConfig(target, "\"header_filter\": \"^X-Dev: alice$\"");

    /// <summary>A mirrord.json stealing with <paramref name="filter"/> (the members of http_filter but its ports) on every replica's port.</summary>
    public string WriteConfig(string? target, string filter, string mode = "steal")
    {
        var ports = string.Join(", ", Replicas.Select(r => r.App.HttpPort.ToString(CultureInfo.InvariantCulture)));
        var targetJson = target is null ? string.Empty : $"\"target\": {target},";
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-target-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              {{targetJson}}
              "feature": { "network": { "incoming": {
                "mode": "{{mode}}",
                "http_filter": { {{filter}}, "ports": [{{ports}}] },
              } } },
            }
            """);
        _files.Add(path);
        return path;
    }

    /// <summary>Writes a kubeconfig for this API server with <paramref name="user"/> as the user's entry and <paramref name="cluster"/> added to the cluster's.</summary>
    public string WriteKubeconfig(string? user = null, string? cluster = null, string? directory = null)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"mirrord-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Api.KubeconfigText(user: user, cluster: cluster));
        _files.Add(path);
        return path;
    }

    public string[] ConnectArgs(params string[] extra)
        => ["connect", "--kubeconfig", Kubeconfig, "--local-port", Laptop.HttpPort.ToString(CultureInfo.InvariantCulture), .. extra];

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        foreach (var replica in Replicas)
        {
            await replica.Sidecar.DisposeAsync();
            await replica.App.DisposeAsync();
        }

        await Laptop.DisposeAsync();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    public sealed record Replica(string Name, TestApp App, SidecarHost Sidecar)
    {
        /// <summary>Sends a request to this replica through its sidecar, as a caller inside the cluster would, and says who answered.</summary>
        public async Task<string> ServedByAsync(string? dev)
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, Sidecar.UrlFor(App.HttpPort, "/whoami"));
            if (dev is not null)
            {
                request.Headers.Add("X-Dev", dev);
            }

            using var response = await client.SendAsync(request);
            return response.Headers.TryGetValues("x-served-by", out var values) ? values.Single() : $"({(int)response.StatusCode})";
        }
    }
}
