using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Demo;
using Mirrord.Incoming.Configuration;
using Mirrord.Testing;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// One pod in its own network namespace (the test app on 8080 HTTP/1.1, 9090 h2c/gRPC, 5432 TCP;
/// mirrord-init and mirrord-sidecar as injected), a client namespace, and the laptop: this process,
/// with its own app and a session connected through the pod's session endpoint.
/// </summary>
internal sealed class PodOnThisMachine : IAsyncDisposable
{
    public const int HttpPort = 8080;
    public const int GrpcPort = 9090;
    public const int DatabasePort = 5432;

    private PodOnThisMachine(NamespacePod pod, TestApp laptop, TcpEchoServer laptopDatabase)
    {
        Pod = pod;
        Laptop = laptop;
        LaptopDatabase = laptopDatabase;
    }

    public NamespacePod Pod { get; }

    public TestApp Laptop { get; }

    public TcpEchoServer LaptopDatabase { get; }

    public static string? Unavailable() => NamespacePod.Unavailable();

    /// <summary>The pod's app: the test app as its own program, serving all three ports on every address.</summary>
    public static string[] AppCommand => [NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll"), "pod", "8080", "9090", "5432"];

    public static IReadOnlyList<int> AppPorts { get; } = [HttpPort, GrpcPort, DatabasePort];

    /// <summary>Builds the pod (injected as the webhook injects an opted-in pod, unless <paramref name="layout"/> says otherwise) and the laptop.</summary>
    public static async Task<PodOnThisMachine> StartAsync(PodLayout? layout = null)
    {
        var prefix = $"mirrord-e2e-{Guid.NewGuid().ToString("N")[..4]}";
        var pod = layout is null
            ? await NamespacePod.StartAsync(prefix, AppCommand, AppPorts, CancellationToken.None)
            : await NamespacePod.StartAsync(prefix, layout, CancellationToken.None);
        return new PodOnThisMachine(pod, await TestApp.StartAsync("laptop"), TcpEchoServer.Start("laptop-db"));
    }

    /// <summary>
    /// Connects a developer session with this incoming config (JSON), delivering to the laptop's app and
    /// database, and <paramref name="more"/> (local, remote) port mappings.
    /// </summary>
    public async Task<LaptopSession> ConnectAsync(string incoming, string name = "alice", IReadOnlyList<PortMapping>? more = null)
    {
        var parsed = IncomingConfigParser.ParseIncoming(incoming).GetConfigOrThrow();
        var config = parsed with
        {
            PortMapping = [new PortMapping(Laptop.HttpPort, HttpPort), new PortMapping(Laptop.GrpcPort, GrpcPort), new PortMapping(LaptopDatabase.Port, DatabasePort), .. more ?? []],
        };
        var output = new StringWriter();
        var reporter = new Reporter(TextWriter.Synchronized(output), json: false);
        var server = await LocalServer.StartAsync(new LocalTarget(config, null), reporter, logging => { }, CancellationToken.None);
        var stop = new CancellationTokenSource();
        var streams = new System.Collections.Concurrent.ConcurrentBag<Stream>();
        Tunnel.Client.SessionDialer dial = async token =>
        {
            var stream = await Pod.Dial(token);
            streams.Add(stream);
            return stream;
        };
        var running = SessionRunner.RunAsync(config, name, "pod", dial, server, reporter, stop.Token);
        var session = new LaptopSession(server, stop, running, output, streams);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!output.ToString().Contains("registered on pod", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !running.IsCompleted, $"the session did not register:\n{output}");
            await Task.Delay(50);
        }

        await Task.Delay(300);
        return session;
    }

    /// <summary>Who answered a GET from the client namespace ("pod", "laptop", or the status and error header).</summary>
    public async Task<string> ServedByAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Pod.AppUrl, path));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Pod.Client.SendAsync(request);
        return response.Headers.TryGetValues("x-served-by", out var servedBy)
            ? servedBy.Single()
            : $"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("mirrord-error", out var error) ? error : [])}";
    }

    /// <summary>Talks the database protocol from the client namespace: returns the banner and the answer to one line.</summary>
    public async Task<(string? Banner, string? Answer)> TalkToDatabaseAsync(string line)
    {
        using var socket = await Pod.ConnectFromClientAsync(DatabasePort, CancellationToken.None);
        return await TcpEchoServer.TalkAsync(socket, line);
    }

    public async ValueTask DisposeAsync()
    {
        await Pod.DisposeAsync();
        await LaptopDatabase.DisposeAsync();
        await Laptop.DisposeAsync();
    }
}

/// <summary>A connected developer session; disposing it is Ctrl-C.</summary>
internal sealed class LaptopSession(
    LocalServer server, CancellationTokenSource stop, Task<int> running, StringWriter output, IEnumerable<Stream> streams) : IAsyncDisposable
{
    public string Output => output.ToString();

    /// <summary>The laptop drops off at once, as a crash or a lost network would: every connection closes, no unregister.</summary>
    public async Task DropAsync()
    {
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }

        await stop.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await running;
        await server.DisposeAsync();
        stop.Dispose();
    }
}
