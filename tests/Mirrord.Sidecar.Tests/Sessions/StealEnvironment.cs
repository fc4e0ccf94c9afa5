using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mirrord.Testing;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>
/// A pod (app + a TCP database), its sidecar, and a laptop with the same shape, all on loopback.
/// Configs written by tests filter on the pod's real (random) ports and map them to the laptop's.
/// </summary>
public sealed class StealEnvironment : IAsyncDisposable
{
    private readonly List<string> _files = [];

    private StealEnvironment(TestApp pod, TestApp laptop, TcpEchoServer podDb, TcpEchoServer laptopDb, SidecarHost sidecar)
    {
        Pod = pod;
        Laptop = laptop;
        PodDb = podDb;
        LaptopDb = laptopDb;
        Sidecar = sidecar;
    }

    public TestApp Pod { get; }

    public TestApp Laptop { get; }

    public TcpEchoServer PodDb { get; }

    public TcpEchoServer LaptopDb { get; }

    public SidecarHost Sidecar { get; }

    /// <summary>
    /// Starts the environment. The sidecar's log goes to <paramref name="output"/> when given (the
    /// test's output); its sessions keep time by <paramref name="time"/> when given (a fake clock).
    /// </summary>
    public static Task<StealEnvironment> StartAsync(IDictionary<string, string?>? sidecarSettings = null, Action<string>? output = null, TimeProvider? time = null)
        => StartAsync(_ => sidecarSettings, output, time);

    /// <summary>Starts the environment with sidecar settings that depend on the pod's (random) ports.</summary>
    public static async Task<StealEnvironment> StartAsync(
        Func<TestApp, IDictionary<string, string?>?> sidecarSettings, Action<string>? output = null, TimeProvider? time = null)
    {
        var pod = await TestApp.StartAsync("pod");
        var laptop = await TestApp.StartAsync("laptop");
        var podDb = TcpEchoServer.Start("pod-db");
        var laptopDb = TcpEchoServer.Start("laptop-db");
        var sidecar = await SidecarHost.StartAsync([pod.HttpPort, pod.GrpcPort, podDb.Port], sidecarSettings(pod), output, time);
        return new StealEnvironment(pod, laptop, podDb, laptopDb, sidecar);
    }

    /// <summary>
    /// Writes a mirrord.json whose incoming object is <paramref name="mode"/> plus, when given, the
    /// <paramref name="httpFilter"/> members (filtering the pod's HTTP and gRPC ports), with a
    /// port_mapping to the laptop's ports. Returns the connect arguments.
    /// </summary>
    public string[] ConnectArgs(string mode, string? httpFilter = null, string extra = "")
    {
        var filter = httpFilter is null ? string.Empty : $", \"http_filter\": {{ {httpFilter}, \"ports\": [{Pod.HttpPort}, {Pod.GrpcPort}] }}";
        var json = $$"""
            { "feature": { "network": { "incoming": {
              "mode": "{{mode}}"{{filter}},
              "port_mapping": [[{{Laptop.HttpPort}}, {{Pod.HttpPort}}], [{{Laptop.GrpcPort}}, {{Pod.GrpcPort}}], [{{LaptopDb.Port}}, {{PodDb.Port}}]],
              {{extra}}
            } } } }
            """;
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        _files.Add(path);
        return ["-f", path];
    }

    /// <summary>
    /// Sends a request with <c>X-Dev: alice</c> to <c>/hold</c> and returns once the laptop holds
    /// it, as at a breakpoint; <see cref="TestApp.Release"/> lets it answer.
    /// </summary>
    public async Task<Task<HttpResponseMessage>> HoldAlicesRequestAsync(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Sidecar.UrlFor(Pod.HttpPort, "/hold"));
        request.Headers.Add("X-Dev", "alice");
        var pending = client.SendAsync(request);
        await Laptop.HoldReached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return pending;
    }

    /// <summary>
    /// Registers a session by hand (<c>PORT</c> in <paramref name="incoming"/> is the pod's HTTP port)
    /// and never pings or attaches: a CLI that froze. The test owns the control connection.
    /// </summary>
    public async Task<(TcpClient Control, RegisteredMessage Registered)> RegisterFrozenAsync(string incoming)
    {
        var control = new TcpClient();
        await control.ConnectAsync(IPAddress.Loopback, Sidecar.SessionPort);
        using var document = JsonDocument.Parse(incoming.Replace("PORT", Pod.HttpPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await SessionFrames.WriteAsync(control.GetStream(), new RegisterMessage(SessionProtocol.Version, "frozen", document.RootElement.Clone()));
        return (control, Assert.IsType<RegisteredMessage>(await SessionFrames.ReadAsync(control.GetStream())));
    }

    public Task<CliSession> ConnectAsync(string mode, string? httpFilter = null, params string[] extraArgs)
        => CliSession.ConnectAsync(Sidecar, [.. ConnectArgs(mode, httpFilter), .. extraArgs]);

    public async ValueTask DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await PodDb.DisposeAsync();
        await LaptopDb.DisposeAsync();
        await Pod.DisposeAsync();
        await Laptop.DisposeAsync();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }
}
