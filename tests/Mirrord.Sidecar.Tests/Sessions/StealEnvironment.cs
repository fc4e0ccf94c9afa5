using Mirrord.Testing;

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

    public static Task<StealEnvironment> StartAsync(IDictionary<string, string?>? sidecarSettings = null)
        => StartAsync(_ => sidecarSettings);

    /// <summary>Starts the environment with sidecar settings that depend on the pod's (random) ports.</summary>
    public static async Task<StealEnvironment> StartAsync(Func<TestApp, IDictionary<string, string?>?> sidecarSettings)
    {
        var pod = await TestApp.StartAsync("pod");
        var laptop = await TestApp.StartAsync("laptop");
        var podDb = TcpEchoServer.Start("pod-db");
        var laptopDb = TcpEchoServer.Start("laptop-db");
        var sidecar = await SidecarHost.StartAsync([pod.HttpPort, pod.GrpcPort, podDb.Port], sidecarSettings(pod));
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
