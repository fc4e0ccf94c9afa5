using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// The product below the API server, for real: a pod in a network namespace with the injected
/// mirrord-init (iptables) and mirrord-sidecar, callers in a client namespace, the laptop here.
/// Needs root, iproute2 and iptables (.ci/run installs them); skipped with the reason otherwise.
/// One collection with the meshed pods' tests, so the pods are built one after another.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class PodOnThisMachineTests
{
    private const string KeepProbes = "^User-Agent: (?!kube-probe)";

    [SkippableFact]
    public async Task NoSession_Http11H2cGrpcAndTcp_ReachTheRealAppThroughTheRedirect_ByteForByte()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        var payload = TestApp.Payload(3 * 1024 * 1024 + 7);

        using var http11 = await env.Pod.Client.PostAsync(new Uri(env.Pod.AppUrl, "/echo"), new ByteArrayContent(payload));
        using var h2c = await env.Pod.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{NamespacePodAddress}:{PodOnThisMachine.GrpcPort}/whoami")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        using var channel = GrpcChannel.ForAddress($"http://{NamespacePodAddress}:{PodOnThisMachine.GrpcPort}", new GrpcChannelOptions { HttpHandler = env.Pod.CreateClientHandler() });
        var reply = await new Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "through the pod's redirect" });

        Assert.Equal(payload, await http11.Content.ReadAsByteArrayAsync());
        Assert.Equal("pod", http11.Headers.GetValues("x-served-by").Single());
        Assert.Equal(HttpVersion.Version20, h2c.Version);
        Assert.Equal("pod", h2c.Headers.GetValues("x-served-by").Single());
        Assert.Equal("pod", reply.ServedBy);
        Assert.Equal(("HELLO from pod-db", "SELECT 1"), await env.TalkToDatabaseAsync("select 1"));
    }

    [SkippableFact]
    public async Task Steal_WithTheSeedsFilters_MatchingRequestsToTheLaptop_ProbesAndOthersToThePod()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using (await env.ConnectAsync("""{ "mode": "steal", "http_filter": { "header_filter": "X-My-Header: my-header-value" } }"""))
        {
            Assert.Equal("laptop", await env.ServedByAsync("/whoami", ("X-My-Header", "my-header-value")));
            Assert.Equal("pod", await env.ServedByAsync("/whoami", ("X-My-Header", "other")));
            Assert.Equal("pod", await env.ServedByAsync("/whoami"));
        }

        await using (await env.ConnectAsync($$"""{ "mode": "steal", "http_filter": { "all_of": [ { "header": "{{KeepProbes}}" }, { "path": "^(?!/health/)" } ] } }"""))
        {
            Assert.Equal("laptop", await env.ServedByAsync("/api/orders", ("User-Agent", "curl/8.5.0")));
            Assert.Equal("pod", await env.ServedByAsync("/api/orders", ("User-Agent", "kube-probe/1.31")));
            Assert.Equal("pod", await env.ServedByAsync("/health/ready", ("User-Agent", "curl/8.5.0")));
        }

        Assert.Equal("pod", await env.ServedByAsync("/api/orders", ("User-Agent", "curl/8.5.0")));
    }

    [SkippableFact]
    public async Task SessionEndpoint_FromAnotherNetworkNamespace_IsUnreachable_FromInsideThePodItAnswers()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();

        // Another pod that reaches the pod IP: nothing listens for it on the session port.
        var refused = await Assert.ThrowsAsync<SocketException>(() => env.Pod.ConnectFromClientAsync(Mirrord.Tunnel.SidecarPorts.Session, CancellationToken.None));
        var sessions = await Mirrord.Tunnel.Client.SessionClient.ListAsync(env.Pod.Dial, CancellationToken.None);

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Empty(sessions);
    }

    [SkippableFact]
    public async Task UnfilteredSteal_TakesEverythingIncludingANonHttpProtocol_ButThePodsOwnProbes()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using var session = await env.ConnectAsync("\"steal\"");

        Assert.Equal("laptop", await env.ServedByAsync("/whoami"));
        Assert.Equal("laptop", await env.ServedByAsync("/health/ready", ("User-Agent", "kube-probe/1.31")));
        Assert.Equal(("HELLO from laptop-db", "SELECT 2"), await env.TalkToDatabaseAsync("select 2"));

        // The pod's liveness probe (httpGet /health/live on 8080) and readiness probe (grpc on 9090), sent as kubelet sends them.
        Assert.Equal("pod", await KubeletProbe.HttpGetAsync(env.Pod.CreateClientHandler(), new Uri(env.Pod.AppUrl, "/health/live")));
        Assert.Equal("pod", await KubeletProbe.GrpcCheckAsync(env.Pod.CreateClientHandler(), new Uri($"http://{NamespacePodAddress}:{PodOnThisMachine.GrpcPort}")));
        Assert.Contains("the pod's probes (GET /health/live on port 8080 (app liveness)) still reach the app", session.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Mirror_ThePodAnswers_AndTheLaptopSeesACopy()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using var session = await env.ConnectAsync("""{ "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: alice$" } }""");

        Assert.Equal("pod", await env.ServedByAsync("/orders?copy=1", ("X-Dev", "alice")));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!env.Laptop.Requests.Any(r => r.PathAndQuery == "/orders?copy=1") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(env.Laptop.Requests, r => r.PathAndQuery == "/orders?copy=1");
    }

    [SkippableFact]
    public async Task TwoDevelopers_EachGetTheirOwnRequests()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using var alice = await env.ConnectAsync("""{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$" } }""", "alice");
        await using var bob = await env.ConnectAsync("""{ "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: bob$" } }""", "bob");

        Assert.Equal("laptop", await env.ServedByAsync("/whoami", ("X-Dev", "alice")));
        Assert.Equal("pod", await env.ServedByAsync("/whoami", ("X-Dev", "bob")));
        Assert.Equal("pod", await env.ServedByAsync("/whoami", ("X-Dev", "carol")));
    }

    [SkippableFact]
    public async Task LaptopDropsMidRequest_TheStolenRequestGets502_NewRequestsReachThePod_ProbesNeverFail()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        using var probing = new CancellationTokenSource();
        var probes = ProbeUntilCancelledAsync(env, probing.Token);
        var session = await env.ConnectAsync($$"""{ "mode": "steal", "http_filter": { "header_filter": "{{KeepProbes}}" } }""");
        var held = env.ServedByAsync("/hold", ("User-Agent", "curl/8.5.0"));
        await env.Laptop.HoldReached.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await session.DropAsync();

        Assert.Equal("502 delivery-interrupted", await held.WaitAsync(TimeSpan.FromSeconds(20)));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string servedBy;
        while ((servedBy = await env.ServedByAsync("/whoami", ("User-Agent", "curl/8.5.0"))) != "pod" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal("pod", servedBy);
        env.Laptop.Release.TrySetResult();
        await session.DisposeAsync();
        await probing.CancelAsync();
        var answers = await probes;
        Assert.NotEmpty(answers);
        Assert.All(answers, answer => Assert.Equal("pod", answer));
    }

    /// <summary>kubelet's readiness probe, every 100 ms from the client namespace, for as long as the test runs.</summary>
    private static async Task<List<string>> ProbeUntilCancelledAsync(PodOnThisMachine env, CancellationToken cancellationToken)
    {
        var answers = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            answers.Add(await env.ServedByAsync("/health/ready", ("User-Agent", "kube-probe/1.31")));
            await Task.Delay(100, CancellationToken.None);
        }

        return answers;
    }

    [SkippableFact]
    public async Task SidecarKilledAndRestarted_ConnectionsAreRefusedWhileDown_AndTrafficResumes()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();

        await env.Pod.RestartSidecarAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => env.ServedByAsync("/whoami"));
            Assert.Equal(SocketError.ConnectionRefused, (error.InnerException as SocketException)?.SocketErrorCode);
        }, CancellationToken.None);

        Assert.Equal("pod", await env.ServedByAsync("/whoami"));
    }

    private static string NamespacePodAddress => Demo.NamespacePod.PodAddress.ToString();
}
