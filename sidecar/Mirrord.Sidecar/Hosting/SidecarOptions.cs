using Mirrord.Tunnel;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Sidecar.Hosting;

/// <summary>
/// The sidecar's operational settings, bound from the <c>Sidecar</c> configuration section
/// (environment variables <c>MIRRORD_Sidecar__InterceptedPorts</c> and so on, as the webhook writes
/// them). Validated at start by <see cref="SidecarOptionsValidator"/>.
/// </summary>
public sealed class SidecarOptions
{
    public const string SectionName = "Sidecar";

    /// <summary>Where iptables redirects intercepted traffic; the original port comes from the socket (SO_ORIGINAL_DST).</summary>
    public int InboundPort { get; set; } = SidecarPorts.Inbound;

    /// <summary>The session endpoint, bound to 127.0.0.1.</summary>
    public int SessionPort { get; set; } = SidecarPorts.Session;

    public int HealthPort { get; set; } = SidecarPorts.Health;

    /// <summary>
    /// The administration socket (<see cref="SidecarEnvironment.AdminSocket"/>), where any session can be ended;
    /// empty: none (a sidecar run by hand). The webhook puts it in a volume only the sidecar's container mounts.
    /// </summary>
    public string AdminSocket { get; set; } = string.Empty;

    /// <summary>Comma-separated container ports whose traffic is redirected here, e.g. <c>8080,9090</c>.</summary>
    public string InterceptedPorts { get; set; } = string.Empty;

    /// <summary>
    /// Extra loopback listeners for running without the redirect (tests, the demo without root):
    /// comma-separated <c>listenPort=containerPort</c> pairs. A connection to such a listener is
    /// treated as sent to that container port.
    /// </summary>
    public string DirectListeners { get; set; } = string.Empty;

    /// <summary>Where the real container listens (the pod shares one network namespace).</summary>
    public string AppAddress { get; set; } = "127.0.0.1";

    /// <summary>A session whose control connection is silent this long is ended (<see cref="Tunnel.Protocol.SessionTimings"/>).</summary>
    public TimeSpan SessionTimeout { get; set; } = Tunnel.Protocol.SessionTimings.SidecarSessionTimeout;

    /// <summary>How long a stolen request waits for a tunnel connection before it is answered 502.</summary>
    public TimeSpan TunnelConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a new connection may stay silent before it is treated as a server-speaks-first protocol and relayed raw.</summary>
    public TimeSpan ProtocolDetectionTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After SIGTERM, how long requests in flight may take to finish before the sidecar exits anyway.
    /// Under the pod's default 30 s grace period, so the sidecar exits on its own rather than being killed.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Stolen requests in flight per session; more are answered 503 with <c>mirrord-error: session-busy</c>.</summary>
    public int StolenRequestsPerSession { get; set; } = 512;

    /// <summary>Mirrored copies per second per session; copies over the rate are dropped and counted, never delaying real traffic.</summary>
    public int MirroredCopiesPerSecond { get; set; } = 200;

    /// <summary>
    /// A mirrored copy its laptop has not taken within this time is given up: its bytes go back to the
    /// buffer budget, so a stuck laptop cannot keep the budget from other sessions for long.
    /// </summary>
    public TimeSpan MirrorCopyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bodies larger than this are not copied to mirror sessions (the copy is dropped and counted).</summary>
    public int MaxMirroredBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The pod's name and namespace (downward API), for logs and the CLI.</summary>
    public string PodName { get; set; } = string.Empty;

    public string PodNamespace { get; set; } = string.Empty;

    /// <summary>
    /// The pod's default policy, a <c>feature.network.incoming</c> object from the pod's
    /// <c>mirrord.dev/config</c> annotation: its <c>http_filter</c> applies to sessions that register
    /// without one, so a pod owner can keep, say, kube-probe requests on the pod whatever a developer asks.
    /// </summary>
    public string DefaultIncoming { get; set; } = string.Empty;

    /// <summary>
    /// The session policy the webhook wrote (<c>MIRRORD_Sidecar__Policy</c>, docs/POLICY.md): the
    /// cluster's and the namespace's combined. Enforced when a session registers; empty allows every session.
    /// </summary>
    public string Policy { get; set; } = string.Empty;

    /// <summary>
    /// The pod's httpGet and grpc probes on intercepted ports, as the webhook read them from the pod
    /// (<c>MIRRORD_Sidecar__Probes</c>, a JSON array; <see cref="Tunnel.Probes.AppProbeList"/>): kubelet's
    /// requests for them reach the app whatever a session says.
    /// </summary>
    public string Probes { get; set; } = string.Empty;

    /// <summary>What a caller may send: header and body sizes, timeouts, HTTP/2 streams.</summary>
    public HttpLimitsOptions Limits { get; set; } = new();

    /// <summary>HTTPS stealing: the ports whose TLS the sidecar terminates with the app's certificate (docs/HTTPS.md).</summary>
    public Tls.TlsOptions Tls { get; set; } = new();

    /// <summary>
    /// How long all sessions' filters together may spend on one request. Each regex match stops at
    /// 50 ms, but a request has many header lines and a pod several sessions; past this, no further
    /// pattern is tried and each counts as no match (mirrord_filter_deadline_spent_total).
    /// </summary>
    public TimeSpan FilterTimePerRequest { get; set; } = Mirrord.Incoming.Filtering.FilterDeadline.DefaultBudget;

    /// <summary>How much of a request body is buffered to evaluate a JSON body filter.</summary>
    public int MaxFilteredBodyBytes { get; set; } = 64 * 1024;

    // The environment's text forms, read once into typed values (the options object lives as long as the
    // sidecar). A value that cannot be read is the validator's to report at start; here it reads as empty.
    private IReadOnlyList<int>? _interceptedPorts;
    private IReadOnlyList<(int ListenPort, int ContainerPort)>? _directListeners;
    private Mirrord.Incoming.Configuration.IncomingConfig? _defaultIncoming;
    private Mirrord.Incoming.Guardrails.SessionPolicy? _policy;
    private IReadOnlyList<Tunnel.Probes.AppProbe>? _probes;

    internal IReadOnlyList<int> InterceptedPortList
        => _interceptedPorts ??= PortListText.TryParsePorts(InterceptedPorts, out var ports) ? ports : [];

    internal IReadOnlyList<(int ListenPort, int ContainerPort)> DirectListenerList
        => _directListeners ??= PortListText.TryParseListeners(DirectListeners, out var listeners, out _) ? listeners : [];

    internal IReadOnlyList<Tunnel.Probes.AppProbe> ProbeList()
        => _probes ??= Tunnel.Probes.AppProbeList.TryParse(Probes, out var probes, out _) ? probes : [];

    /// <summary>The pod's default (<see cref="DefaultIncoming"/>), or null when it has none.</summary>
    internal Mirrord.Incoming.Configuration.IncomingConfig? DefaultIncomingConfig()
        => DefaultIncoming.Length == 0 ? null : _defaultIncoming ??= Mirrord.Incoming.Configuration.IncomingConfigParser.ParseIncoming(DefaultIncoming).Config;

    internal Mirrord.Incoming.Guardrails.SessionPolicy SessionPolicy()
        => _policy ??= Policy.Length == 0
            ? Mirrord.Incoming.Guardrails.SessionPolicy.Empty
            : Mirrord.Incoming.Guardrails.SessionPolicyParser.Parse(Policy, "Sidecar:Policy").Policy ?? Mirrord.Incoming.Guardrails.SessionPolicy.Empty;
}
