using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Mirrord.Demo;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Mesh;

namespace Mirrord.EndToEnd.Tests.Mesh;

/// <summary>
/// A pod on this machine with a mesh in front of its app: the mesh's real iptables rules
/// (<see cref="MeshIptables"/>) applied where its CNI plugin or init container applies them, the
/// STAND-IN mesh proxy (<see cref="MeshProxyStandIn"/>) as the proxy's uid, and mirrord's injected
/// init and sidecar, all in the order of the pod spec <see cref="MeshSetup"/> makes. Callers speak
/// TLS to it from the client namespace, as meshed clients do.
/// </summary>
internal sealed class MeshedPod : IForeignContainers, IAsyncDisposable
{
    public const string ServiceName = "orders.shop.svc.cluster.local";

    private readonly MeshCertificates _certificates;

    private MeshedPod(MeshSetup setup, MeshCertificates certificates)
    {
        Setup = setup;
        _certificates = certificates;
    }

    public MeshSetup Setup { get; }

    public PodOnThisMachine Env { get; private set; } = null!;

    public NamespacePod Pod => Env.Pod;

    public JsonObject Spec { get; private set; } = null!;

    private static string PodAddress => NamespacePod.PodAddress.ToString();

    public static async Task<MeshedPod> StartAsync(MeshSetup setup)
    {
        var meshed = new MeshedPod(setup, MeshCertificates.Create(NamespacePod.PodAddress, ServiceName));
        try
        {
            meshed.Spec = setup.BuildPod();
            meshed.Env = await PodOnThisMachine.StartAsync(
                new PodLayout(meshed.Spec, "orders", PodOnThisMachine.AppCommand, PodOnThisMachine.AppPorts) { Foreign = meshed });
            return meshed;
        }
        catch
        {
            meshed._certificates.Dispose();
            throw;
        }
    }

    public async Task PrepareAsync(NamespacePod pod, CancellationToken cancellationToken)
    {
        if (Setup.Cni)
        {
            // The mesh's CNI plugin programs the pod's network namespace when the sandbox is made, before any container.
            await ApplyMeshRulesAsync(pod);
        }
    }

    public async Task RunAsync(NamespacePod pod, JsonObject container, CancellationToken cancellationToken)
    {
        switch (container["name"]!.GetValue<string>())
        {
            case "istio-init" or "linkerd-init":
                await ApplyMeshRulesAsync(pod);
                break;
            case "istio-validation" or "linkerd-network-validator":
                var (_, rules, _) = await pod.Namespace.RunAsync("iptables-save", "-t", "nat");
                Assert.Contains(Setup.IsIstio ? ":ISTIO_INBOUND" : ":PROXY_INIT_REDIRECT", rules, StringComparison.Ordinal);
                break;
            case "istio-proxy" or "linkerd-proxy":
                await StartProxyAsync(pod, container, cancellationToken);
                break;
            default:
                // The app's own init container (a database migration): nothing to do here.
                break;
        }
    }

    private async Task ApplyMeshRulesAsync(NamespacePod pod)
    {
        foreach (var rule in Setup.IsIstio ? MeshIptables.Istio() : MeshIptables.Linkerd())
        {
            var (code, _, error) = await pod.Namespace.RunAsync(["iptables", .. rule]);
            Assert.True(code == 0, $"iptables {string.Join(' ', rule)}: {error}");
        }
    }

    private async Task StartProxyAsync(NamespacePod pod, JsonObject container, CancellationToken cancellationToken)
    {
        var uid = container["securityContext"]!["runAsUser"]!.GetValue<int>();
        var environment = (container["env"] as JsonArray ?? [])
            .Select(e => e!.AsObject())
            .Where(e => e["value"] is not null)
            .ToDictionary(e => e["name"]!.GetValue<string>(), e => e["value"]!.GetValue<string>());
        string[] command =
        [
            .. NamespacePod.AsUser(uid), NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll"),
            "mesh-proxy", Setup.Mesh, "--cert", _certificates.CertificateFile, "--key", _certificates.KeyFile, "--pod-ip", PodAddress,
            "--h2-ports", PodOnThisMachine.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. Setup.IsIstio ? new[] { "--strict" } : [],
        ];
        pod.StartProcess(container["name"]!.GetValue<string>(), command, environment);

        // The proxy's own health port, which its mesh keeps out of its capture (15021; 4191).
        await pod.WaitReadyAsync(new Uri(Setup.IsIstio ? $"http://{PodAddress}:15021/healthz/ready" : $"http://{PodAddress}:4191/ready"), cancellationToken);
    }

    /// <summary>A client in the client namespace that speaks TLS to the pod and trusts the mesh's CA.</summary>
    public HttpClient TlsClient()
    {
        var handler = Pod.CreateClientHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => _certificates.Validate(certificate);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>Who answered a GET over TLS to the app's HTTP port: "pod", "laptop", or the status and error header.</summary>
    public async Task<string> ServedOverTlsAsync(string path, params (string Name, string Value)[] headers)
    {
        using var client = TlsClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{PodAddress}:{PodOnThisMachine.HttpPort}{path}");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return response.Headers.TryGetValues("x-served-by", out var servedBy)
            ? servedBy.Single()
            : $"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("mirrord-error", out var error) ? error : [])}";
    }

    /// <summary>gRPC over TLS (HTTP/2 negotiated with ALPN) to the app's gRPC port; returns who served it.</summary>
    public async Task<string> GrpcOverTlsAsync(string text, params (string Name, string Value)[] metadata)
    {
        var handler = Pod.CreateClientHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => _certificates.Validate(certificate);
        using var channel = GrpcChannel.ForAddress($"https://{PodAddress}:{PodOnThisMachine.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler });
        var headers = new Grpc.Core.Metadata();
        foreach (var (name, value) in metadata)
        {
            headers.Add(name, value);
        }

        var reply = await new Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = text }, headers);
        return reply.ServedBy;
    }

    /// <summary>curl from the client namespace with the mesh's CA file: its standard output.</summary>
    public async Task<string> CurlAsync(string path, params string[] headers)
    {
        string[] command = ["curl", "-sS", "--max-time", "20", "--cacert", _certificates.AuthorityFile, .. headers.SelectMany(h => new[] { "-H", h }), $"https://{PodAddress}:{PodOnThisMachine.HttpPort}{path}"];
        var (code, output, error) = await Pod.ClientNamespace.RunAsync(command);
        Assert.True(code == 0, $"curl exited {code}: {error}");
        return output;
    }

    /// <summary>A plain GET from the client namespace, as kubelet's prober sends it (no TLS, User-Agent kube-probe).</summary>
    public async Task<HttpResponseMessage> KubeletProbeAsync(int port, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{PodAddress}:{port}{path}");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("kube-probe", "1.34"));
        return await Pod.Client.SendAsync(request);
    }

    /// <summary>A counter of the sidecar's Prometheus text, read from its health port.</summary>
    public async Task<long> SidecarCounterAsync(string name, params (string Name, string Value)[] labels)
        => MetricsText.Counter(await Pod.Client.GetStringAsync($"http://{PodAddress}:{Tunnel.SidecarPorts.Health}/metrics"), name, labels);

    public async ValueTask DisposeAsync()
    {
        if (Env is not null)
        {
            await Env.DisposeAsync();
        }

        _certificates.Dispose();
    }
}
