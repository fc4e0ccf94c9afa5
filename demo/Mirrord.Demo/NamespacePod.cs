using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mirrord.Tunnel;
using Mirrord.Tunnel.Client;

namespace Mirrord.Demo;

/// <summary>
/// The demo as root: a "pod" network namespace with the app on 8080, <c>mirrord-init</c> and
/// <c>mirrord-sidecar</c> run with what the injection library injects (real iptables redirect), and
/// a "client" namespace on a veth pair (198.18.0.1 → 198.18.0.2) from which the cluster's callers
/// speak. The laptop is this process: it reaches the session endpoint inside the pod, as a
/// port-forward does. Everything is removed on dispose.
/// </summary>
internal sealed class NamespacePod : IDemoPod
{
    public const int AppPort = 8080;
    private static readonly IPAddress s_podAddress = IPAddress.Parse("198.18.0.2");
    private static readonly string[] s_binDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
    private readonly List<Process> _processes = [];
    private readonly string _prefix;
    private NetworkNamespace _pod;
    private NetworkNamespace _client;

    private readonly string[] _appCommand;
    private string[] _sidecarCommand = [];
    private Process? _sidecar;
    private IReadOnlyDictionary<string, string> _sidecarEnvironment = new Dictionary<string, string>();
    private readonly IReadOnlyList<int> _appPorts;

    private NamespacePod(string prefix, string[] appCommand, IReadOnlyList<int> appPorts)
    {
        _appCommand = appCommand;
        _appPorts = appPorts;
        _prefix = prefix;
        _pod = new NetworkNamespace($"{prefix}-pod");
        _client = new NetworkNamespace($"{prefix}-client");
        Client = new HttpClient(CreateClientHandler())
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
        Dial = async token => new NetworkStream(await _pod.ConnectAsync(new IPEndPoint(IPAddress.Loopback, SidecarPorts.Session), token), ownsSocket: true);
    }

    public IReadOnlyList<string> Description { get; private set; } = [];

    public int ContainerPort => _appPorts[0];

    public HttpClient Client { get; }

    public Uri AppUrl => new($"http://{s_podAddress}:{_appPorts[0]}");

    /// <summary>An HTTP handler whose connections start in the client namespace (for HTTP/1.1, h2c and gRPC clients alike).</summary>
    public SocketsHttpHandler CreateClientHandler() => new()
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = async (context, token) =>
            new NetworkStream(await _client.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), token), ownsSocket: true),
    };

    /// <summary>The pod's address on the veth pair (callers in the client namespace reach it there).</summary>
    public static IPAddress PodAddress => s_podAddress;

    /// <summary>Connects from the client namespace, as a caller in the cluster.</summary>
    public Task<Socket> ConnectFromClientAsync(int port, CancellationToken cancellationToken)
        => _client.ConnectAsync(new IPEndPoint(s_podAddress, port), cancellationToken);

    /// <summary>Stops the sidecar process (as a crash would) and starts it again; returns once it is ready.</summary>
    public async Task RestartSidecarAsync(Func<Task> whileDown, CancellationToken cancellationToken)
    {
        await KillSidecarAsync(cancellationToken);
        await whileDown();
        StartSidecarAgain();
        await WaitReadyAsync(new Uri($"http://{s_podAddress}:{SidecarPorts.Health}/readyz"), cancellationToken);
    }

    /// <summary>Kills the sidecar as a crash or the OOM killer would (SIGKILL), and waits until it is gone.</summary>
    public async Task KillSidecarAsync(CancellationToken cancellationToken)
    {
        var sidecar = _sidecar ?? throw new InvalidOperationException("the pod has no sidecar");
        sidecar.Kill(entireProcessTree: true);
        await sidecar.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Starts the sidecar again as the kubelet restarts a native sidecar: the same command and environment.</summary>
    public void StartSidecarAgain() => _sidecar = StartProcess("mirrord-sidecar", _sidecarCommand, _sidecarEnvironment);

    public SessionDialer Dial { get; }

    /// <summary>Why the namespace demo cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "not running as root on Linux";
        }

        string[] tools = ["ip", "iptables", "setpriv"];
        var missing = tools.Where(tool => !s_binDirectories.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not installed";
    }

    /// <summary>The demo's pod: the sample app on 8080.</summary>
    public static Task<NamespacePod> StartAsync(string prefix, CancellationToken cancellationToken)
        => StartAsync(prefix, [Dotnet, Path.Combine(AppContext.BaseDirectory, "mirrord-demo.dll"), "app", "--name", "pod", "--port", "8080"], [AppPort], cancellationToken);

    /// <summary>A pod running <paramref name="appCommand"/>, whose TCP ports are <paramref name="appPorts"/>, injected as the webhook injects an opted-in pod.</summary>
    public static Task<NamespacePod> StartAsync(string prefix, string[] appCommand, IReadOnlyList<int> appPorts, CancellationToken cancellationToken)
        => StartAsync(prefix, DefaultLayout(appCommand, appPorts), cancellationToken);

    /// <summary>The layout of a pod running <paramref name="appCommand"/> on <paramref name="appPorts"/>, injected as the webhook injects an opted-in pod.</summary>
    public static PodLayout DefaultLayout(string[] appCommand, IReadOnlyList<int> appPorts)
        => new(InjectedPodSpec.DemoPod(PodName, PodNamespace, appPorts), "app", appCommand, appPorts);

    /// <summary>A pod as <paramref name="layout"/> describes it.</summary>
    public static async Task<NamespacePod> StartAsync(string prefix, PodLayout layout, CancellationToken cancellationToken)
    {
        var demo = new NamespacePod(prefix, layout.AppCommand, layout.AppPorts);
        try
        {
            await demo.BuildAsync(layout, cancellationToken);
            return demo;
        }
        catch
        {
            await demo.DisposeAsync();
            throw;
        }
    }

    /// <summary>The pod's network namespace.</summary>
    public NetworkNamespace Namespace => _pod;

    /// <summary>The network namespace the cluster's callers speak from.</summary>
    public NetworkNamespace ClientNamespace => _client;

    private const string PodName = "orders-demo";
    private const string PodNamespace = "shop";

    private async Task BuildAsync(PodLayout layout, CancellationToken cancellationToken)
    {
        _pod = await NetworkNamespace.CreateAsync($"{_prefix}-pod");
        _client = await NetworkNamespace.CreateAsync($"{_prefix}-client");
        if (layout.ResolvConf is { } resolvConf)
        {
            await _pod.WriteResolvConfAsync(resolvConf);
        }

        var (clientEnd, podEnd) = ($"{_client.Name[..Math.Min(11, _client.Name.Length)]}-c", $"{_pod.Name[..Math.Min(11, _pod.Name.Length)]}-p");
        await NetworkNamespace.IpAsync("link", "add", clientEnd, "netns", _client.Name, "type", "veth", "peer", "name", podEnd, "netns", _pod.Name);
        await NetworkNamespace.IpAsync("-n", _client.Name, "addr", "add", "198.18.0.1/30", "dev", clientEnd);
        await NetworkNamespace.IpAsync("-n", _pod.Name, "addr", "add", "198.18.0.2/30", "dev", podEnd);
        await NetworkNamespace.IpAsync("-n", _client.Name, "link", "set", clientEnd, "up");
        await NetworkNamespace.IpAsync("-n", _pod.Name, "link", "set", podEnd, "up");

        var spec = InjectedPodSpec.From(layout.Pod, PodName, PodNamespace, layout.SecretFolders);
        if (layout.Foreign is { } foreign)
        {
            await foreign.PrepareAsync(this, cancellationToken);
        }

        // As kubelet: the init containers one after another (a native sidecar once it serves), then the containers.
        var description = new List<string>();
        foreach (var container in Containers(layout.Pod, "initContainers").Concat(Containers(layout.Pod, "containers")))
        {
            var name = container["name"]!.GetValue<string>();
            if (name == Injection.PodAnnotations.InitContainer)
            {
                await RunInitAsync(spec, cancellationToken);
                description.Add($"mirrord-init ran `mirrord-sidecar {string.Join(' ', spec.InitArgs)}`");
            }
            else if (name == Injection.PodAnnotations.SidecarContainer)
            {
                var asUser = StartSidecar(spec);
                await WaitReadyAsync(new Uri($"http://{s_podAddress}:{SidecarPorts.Health}/readyz"), cancellationToken);
                description.Add($"mirrord-sidecar runs{(asUser ? $" as uid {spec.SidecarUser}" : string.Empty)} with {string.Join(", ", spec.SidecarEnvironment.Keys.Where(k => k.StartsWith("MIRRORD_", StringComparison.Ordinal)))}");
            }
            else if (name == layout.AppContainer)
            {
                StartProcess("app", _appCommand, new Dictionary<string, string>());
                foreach (var port in _appPorts)
                {
                    await WaitListeningAsync(port, cancellationToken);
                }

                description.Add($"the app on :{string.Join(", :", _appPorts)}");
            }
            else if (layout.Foreign is { } runner)
            {
                await runner.RunAsync(this, container, cancellationToken);
                description.Add(name);
            }
            else
            {
                throw new InvalidOperationException($"container {name} of the pod has nothing to run it on this machine");
            }
        }

        Description =
        [
            $"network namespace {_pod.Name} (the pod, 198.18.0.2), in order: {string.Join("; ", description)}",
            $"network namespace {_client.Name} (198.18.0.1, veth to the pod): where the cluster's callers and kubelet speak from",
            "this process is the laptop: it reaches the sidecar's session endpoint inside the pod, as a port-forward does",
        ];
    }

    private async Task RunInitAsync(InjectedPodSpec spec, CancellationToken cancellationToken)
    {
        var init = StartProcess("mirrord-init", [.. SidecarProgram.Command, .. spec.InitArgs], new Dictionary<string, string>());
        await init.WaitForExitAsync(cancellationToken);
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"mirrord-init failed ({init.ExitCode}): {await init.StandardError.ReadToEndAsync(cancellationToken)}");
        }
    }

    /// <summary>Starts the sidecar as the injected container runs, as uid 65532 where that user can read this program; true when it does.</summary>
    private bool StartSidecar(InjectedPodSpec spec)
    {
        var asUser = IsReadableByOthers(AppContext.BaseDirectory);
        _sidecarCommand = [.. asUser ? AsUser(spec.SidecarUser) : [], .. SidecarProgram.Command];
        _sidecarEnvironment = spec.SidecarEnvironment;
        _sidecar = StartProcess("mirrord-sidecar", _sidecarCommand, _sidecarEnvironment);
        return asUser;
    }

    /// <summary>The command prefix that runs a program as <paramref name="uid"/> (its group the same number), as a container's securityContext does.</summary>
    public static string[] AsUser(int uid) => ["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups"];

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> Containers(System.Text.Json.Nodes.JsonObject pod, string list)
        => pod["spec"]?[list]?.AsArray().Select(c => c!.AsObject()) ?? [];

    /// <summary>The dotnet host that runs the project's programs.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet");

    /// <summary>Starts a program inside the pod's network namespace; it is stopped when the pod is disposed. Output is read by the caller for init steps, drained otherwise.</summary>
    public Process StartProcess(string role, string[] command, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", _pod.Name, .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {role}");
        _processes.Add(process);
        if (role != "mirrord-init")
        {
            // Drained so that a chatty program never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        return process;
    }

    /// <summary>Waits until something listens on <paramref name="port"/> inside the pod (connecting from inside, as a container's own check would).</summary>
    public async Task WaitListeningAsync(int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var socket = await _pod.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers a request from the client namespace with a success (with <paramref name="anyAnswer"/>, anything but the sidecar's 502).</summary>
    public async Task WaitReadyAsync(Uri url, CancellationToken cancellationToken, bool anyAnswer = false)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await Client.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode || (anyAnswer && response.StatusCode != HttpStatusCode.BadGateway))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not answer within 30 s");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>True when an unprivileged user can reach <paramref name="directory"/> (every directory up the path is world-traversable).</summary>
    public static bool IsReadableByOthers(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if ((current.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await _client.DeleteAsync();
        await _pod.DeleteAsync();
    }
}
