using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mirrord.Cli.Local;
using Mirrord.Sidecar.Hosting;
using Mirrord.Tunnel.Client;

namespace Mirrord.Demo;

/// <summary>
/// The demo without root: the app and the sidecar on loopback ports in this process. No iptables
/// redirect: callers reach the sidecar's listener for the app's port directly.
/// </summary>
internal sealed class LoopbackPod : IDemoPod
{
    private readonly WebApplication _app;
    private readonly WebApplication _sidecar;

    private LoopbackPod(WebApplication app, WebApplication sidecar, int containerPort, int listenPort, int sessionPort)
    {
        _app = app;
        _sidecar = sidecar;
        ContainerPort = containerPort;
        AppUrl = new Uri($"http://127.0.0.1:{listenPort}");
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(20) };
        Dial = DirectDialer.TryParse($"127.0.0.1:{sessionPort}", out var dial) ? dial : throw new InvalidOperationException("session address");
        Description =
        [
            $"the app (\"pod\") on 127.0.0.1:{containerPort}, mirrord-sidecar in front of it on 127.0.0.1:{listenPort}",
            $"sessions on 127.0.0.1:{sessionPort}; no iptables redirect: callers use the sidecar's port",
        ];
    }

    public IReadOnlyList<string> Description { get; }

    public int ContainerPort { get; }

    public HttpClient Client { get; }

    public Uri AppUrl { get; }

    public SessionDialer Dial { get; }

    public static async Task<LoopbackPod> StartAsync(CancellationToken cancellationToken)
    {
        var app = await DemoApp.StartAsync("pod", IPAddress.Loopback, 0, cancellationToken);
        var containerPort = DemoApp.PortOf(app);
        var (listen, session, health, inbound) = (FreePort(), FreePort(), FreePort(), FreePort());

        // The same pod as on the network-namespace path, through the real injector: its probes are what the sidecar keeps on the app.
        var injected = InjectedPodSpec.From(InjectedPodSpec.DemoPod("orders-demo", "demo", [containerPort]), "orders-demo", "demo");
        var sidecar = SidecarApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sidecar:InboundPort"] = Invariant(inbound),
                ["Sidecar:SessionPort"] = Invariant(session),
                ["Sidecar:HealthPort"] = Invariant(health),
                ["Sidecar:DirectListeners"] = $"{Invariant(listen)}={Invariant(containerPort)}",
                ["Sidecar:Probes"] = injected.SidecarEnvironment.GetValueOrDefault(Tunnel.SidecarEnvironment.Probes, string.Empty),
            });
            builder.Logging.ClearProviders();
        });
        await sidecar.StartAsync(cancellationToken);
        return new LoopbackPod(app, sidecar, containerPort, listen, session);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static string Invariant(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
