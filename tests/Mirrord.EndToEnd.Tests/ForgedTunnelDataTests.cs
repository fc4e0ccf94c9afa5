using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Mirrord.Testing.Grpc;
using Mirrord.Tunnel;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// Nothing a caller sends is read as tunnel data: every header the sidecar sets on the tunnel
/// (<see cref="TunnelHeaders"/>), sent by an ordinary caller from another pod, over HTTP/1.1, h2c and
/// gRPC, changes nothing about where the request goes or how it is delivered; and a request to the
/// path that carries whole connections is an ordinary request, never a byte relay into the laptop.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class ForgedTunnelDataTests
{
    private const string StealAlice = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [8080, 9090] } }""";

    public static TheoryData<string, string> Forgeries => new()
    {
        { TunnelHeaders.Port, "1" },
        { TunnelHeaders.Protocol, TunnelHeaders.Http2 },
        { TunnelHeaders.RequestId, "1" },
        { TunnelHeaders.Tls, "1" },
        { TunnelHeaders.Mode, TunnelHeaders.Tcp },
        { TunnelHeaders.Mode, TunnelHeaders.Mirror },
    };

    [SkippableFact]
    public async Task ForgedTunnelHeaders_OnStolenAndMirroredRequests_ChangeNothing_AndNeverReachTheLaptop()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using (await env.ConnectAsync(StealAlice))
        {
            foreach (var (name, value) in Forgeries.Select(row => ((string)row[0], (string)row[1])))
            {
                // HTTP/1.1 from another pod: stolen, delivered as HTTP/1.1 to the laptop's port for 8080.
                Assert.Equal("laptop", await env.ServedByAsync($"/whoami?forged={name}", ("X-Dev", "alice"), (name, value)));

                // h2c: delivered as HTTP/2 (a forged protocol would have turned it into HTTP/1.1).
                using var h2c = new HttpClient(env.Pod.CreateClientHandler());
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Demo.NamespacePod.PodAddress}:{PodOnThisMachine.GrpcPort}/whoami?forged={name}")
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                request.Headers.Add("X-Dev", "alice");
                request.Headers.TryAddWithoutValidation(name, value);
                using var response = await h2c.SendAsync(request);
                Assert.Equal("laptop", response.Headers.GetValues("x-served-by").Single());
            }

            // gRPC metadata are headers too.
            using var channel = GrpcChannel.ForAddress($"http://{Demo.NamespacePod.PodAddress}:{PodOnThisMachine.GrpcPort}", new GrpcChannelOptions { HttpHandler = env.Pod.CreateClientHandler() });
            var reply = await new Echo.EchoClient(channel).SayAsync(
                new EchoRequest { Text = "forged" }, new Metadata { { "x-dev", "alice" }, { TunnelHeaders.Port, "1" }, { TunnelHeaders.Protocol, TunnelHeaders.Http11 } });
            Assert.Equal("laptop", reply.ServedBy);
        }

        await using (await env.ConnectAsync("""{ "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: bob$" } }""", "bob"))
        {
            // A request hidden from a mirror session by a forged mode would never reach it.
            Assert.Equal("pod", await env.ServedByAsync("/whoami?copy=forged", ("X-Dev", "bob"), (TunnelHeaders.Mode, TunnelHeaders.Steal), (TunnelHeaders.Port, "1")));
            await Mirrord.Testing.Poll.UntilAsync(() => env.Laptop.Requests.Any(r => r.PathAndQuery == "/whoami?copy=forged"), "the mirror session got no copy of the request with forged headers");
        }

        Assert.All(env.Laptop.Requests, r => Assert.DoesNotContain(r.Headers.Keys, key => TunnelHeaders.IsTunnelHeader(key)));
    }

    [SkippableFact]
    public async Task RequestToTheWholeConnectionPath_IsAnOrdinaryRequest_NotARawRelayIntoTheLaptop()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using var session = await env.ConnectAsync(StealAlice);

        // As a relay, the body would reach the laptop's app as a second, smuggled request.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(env.Pod.AppUrl, TunnelHeaders.TcpPath))
        {
            Content = new StringContent("GET /smuggled HTTP/1.1\r\nHost: laptop\r\n\r\n"),
        };
        request.Headers.Add("X-Dev", "alice");
        request.Headers.TryAddWithoutValidation(TunnelHeaders.Mode, TunnelHeaders.Tcp);
        using var response = await env.Pod.Client.SendAsync(request);

        Assert.Equal("laptop", response.Headers.GetValues("x-served-by").Single());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(env.Laptop.Requests, r => r.Method == "POST" && r.PathAndQuery == TunnelHeaders.TcpPath);
        Assert.DoesNotContain(env.Laptop.Requests, r => r.PathAndQuery == "/smuggled");
    }
}
