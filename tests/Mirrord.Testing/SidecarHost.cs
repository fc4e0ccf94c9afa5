using Mirrord.Sidecar.Hosting;
using Mirrord.Testing.Logging;

namespace Mirrord.Testing;

/// <summary>
/// The real sidecar, in-process, on loopback. Without the iptables redirect, each container port it
/// serves gets a direct listener: a client that connects to <see cref="InboundPortFor"/> is treated
/// exactly as one redirected from that container port. Its log (warnings and up, unless the
/// settings say otherwise) is kept in <see cref="Logs"/> and written to the test's output when given.
/// </summary>
public sealed class SidecarHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<int, int> _inbound;
    private readonly LineRecorder _audit;

    private SidecarHost(WebApplication app, Dictionary<int, int> inbound, int inboundPort, int sessionPort, int healthPort, RecordingLoggerProvider logs, LineRecorder audit)
    {
        _app = app;
        Logs = logs;
        _audit = audit;
        _inbound = inbound;
        InboundPort = inboundPort;
        SessionPort = sessionPort;
        HealthPort = healthPort;
    }

    /// <summary>The port the iptables redirect sends container traffic to (15080 in a pod).</summary>
    public int InboundPort { get; }

    public int SessionPort { get; }

    public int HealthPort { get; }

    public string SessionAddress => $"127.0.0.1:{SessionPort}";

    /// <summary>The administration socket, which only a process "in the sidecar's container" reaches (here: this machine).</summary>
    public string AdminSocket => _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SidecarOptions>>().Value.AdminSocket;

    public IServiceProvider Services => _app.Services;

    /// <summary>The sessions registered on the sidecar now.</summary>
    public int ActiveSessions => _app.Services.GetRequiredService<Sidecar.Sessions.SessionRegistry>().Sessions.Length;

    /// <summary>The sidecar's audit trail: one JSON line per session start, end and refusal.</summary>
    public IReadOnlyList<string> AuditLines => _audit.Lines;

    /// <summary>What the sidecar logged.</summary>
    public RecordingLoggerProvider Logs { get; }

    /// <summary>Starts the sidecar; with <paramref name="time"/> (a fake clock), everything it times by the clock follows that clock.</summary>
    public static Task<SidecarHost> StartAsync(
        IEnumerable<int> containerPorts, IDictionary<string, string?>? settings = null, Action<string>? output = null, TimeProvider? time = null)
    {
        var inbound = containerPorts.ToDictionary(port => port, _ => FreePort.Next());
        return StartAsync(inbound, string.Join(",", inbound.Select(pair => $"{pair.Value}={pair.Key}")), string.Empty, settings, output, time);
    }

    /// <summary>
    /// The sidecar as it runs in a pod: no direct listeners, the container ports intercepted, each
    /// connection's original port read from the redirected socket. Pair with an iptables redirect to <see cref="InboundPort"/>.
    /// </summary>
    public static Task<SidecarHost> StartRedirectedAsync(IEnumerable<int> containerPorts, IDictionary<string, string?>? settings = null)
        => StartAsync([], string.Empty, string.Join(",", containerPorts), settings, output: null, time: null);

    private static async Task<SidecarHost> StartAsync(
        Dictionary<int, int> inbound, string directListeners, string interceptedPorts, IDictionary<string, string?>? settings, Action<string>? output, TimeProvider? time)
    {
        var inboundPort = FreePort.Next();
        var sessionPort = FreePort.Next();
        var healthPort = FreePort.Next();
        var values = new Dictionary<string, string?>
        {
            ["Sidecar:InboundPort"] = inboundPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sidecar:SessionPort"] = sessionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sidecar:HealthPort"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sidecar:DirectListeners"] = directListeners,
            ["Sidecar:InterceptedPorts"] = interceptedPorts,
            ["Sidecar:ProtocolDetectionTimeout"] = "00:00:00.200",

            // The injected sidecar's private volume, as a folder of its own (a Unix socket path must stay short).
            ["Sidecar:AdminSocket"] = Path.Combine(Directory.CreateTempSubdirectory("mirrord-admin-").FullName, "admin.sock"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var logs = new RecordingLoggerProvider(output);
        var audit = new LineRecorder();
        var app = SidecarApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(logs);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            builder.Services.AddSingleton(services => new Sidecar.Audit.AuditTrail(audit, services.GetRequiredService<TimeProvider>()));
        });
        await app.StartAsync();
        return new SidecarHost(app, inbound, inboundPort, sessionPort, healthPort, logs, audit);
    }

    /// <summary>The loopback port to connect to in order to reach <paramref name="containerPort"/> through the sidecar.</summary>
    public int InboundPortFor(int containerPort) => _inbound[containerPort];

    public Uri UrlFor(int containerPort, string path = "/") => new($"http://127.0.0.1:{InboundPortFor(containerPort)}{path}");

    /// <summary>The sessions the sidecar holds, read through its session endpoint as <c>status</c> reads them.</summary>
    public Task<IReadOnlyList<Tunnel.Protocol.SessionSummary>> ListSessionsAsync() => Tunnel.Client.SessionClient.ListAsync(async ct =>
    {
        var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, SessionPort, ct);
        return tcp.GetStream();
    }, CancellationToken.None);

    /// <summary>Stops as on SIGTERM: listeners close, requests in flight drain.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Ends every session as an administrator does (<c>mirrord-sidecar sessions kill</c> through pods/exec).</summary>
    public IReadOnlyList<string> KillSessions(string by) => _app.Services.GetRequiredService<Sidecar.Sessions.SessionRegistry>().Kill(null, by) ?? [];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
