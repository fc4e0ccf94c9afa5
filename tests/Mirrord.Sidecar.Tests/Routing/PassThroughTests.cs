using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;

namespace Mirrord.Sidecar.Tests.Routing;

/// <summary>With no session, the sidecar must be invisible: every protocol reaches the container unchanged.</summary>
public sealed class PassThroughTests : IAsyncLifetime
{
    private TestApp _pod = null!;
    private TcpEchoServer _database = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _pod = await TestApp.StartAsync("pod");
        _database = TcpEchoServer.Start("pod-db");
        _sidecar = await SidecarHost.StartAsync([_pod.HttpPort, _pod.GrpcPort, _database.Port]);
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _database.DisposeAsync();
        await _pod.DisposeAsync();
    }

    [Fact]
    public async Task Http11_NoSession_ReachesTheContainer()
    {
        using var client = LoopbackClients.Http11();

        using var response = await client.GetAsync(_sidecar.UrlFor(_pod.HttpPort, "/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal(new Version(1, 1), response.Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5 * 1024 * 1024 + 17)]
    public async Task Http11_BodyOfAnySize_RoundTripsByteForByte(int size)
    {
        using var client = LoopbackClients.Http11();
        var payload = TestApp.Payload(size);

        using var response = await client.PostAsync(_sidecar.UrlFor(_pod.HttpPort, "/echo"), new ByteArrayContent(payload));

        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Http11_LargeDownload_RoundTripsByteForByte()
    {
        using var client = LoopbackClients.Http11();

        var body = await client.GetByteArrayAsync(_sidecar.UrlFor(_pod.HttpPort, "/bytes/4000000"));

        Assert.Equal(TestApp.Payload(4_000_000), body);
    }

    [Fact]
    public async Task Http11_HeadersAndStatus_ArriveAsSentWithoutProxyHeaders()
    {
        using var client = LoopbackClients.Http11();
        using var request = new HttpRequestMessage(HttpMethod.Get, _sidecar.UrlFor(_pod.HttpPort, "/status/418"));
        request.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.TryAddWithoutValidation("X-Custom", "a, b");

        using var response = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal(["Kestrel"], response.Headers.GetValues("Server"));
        var seen = _pod.Requests.Last(r => r.PathAndQuery == "/status/418").Headers;
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", seen["traceparent"]);
        Assert.Equal("a, b", seen["X-Custom"]);
        Assert.Equal($"127.0.0.1:{_sidecar.InboundPortFor(_pod.HttpPort)}", seen["Host"]);
        Assert.False(seen.ContainsKey("X-Forwarded-For"));
        Assert.False(seen.ContainsKey("Via"));
    }

    [Fact]
    public async Task H2c_PriorKnowledge_IsServedAsHttp2OnTheSamePort()
    {
        using var client = LoopbackClients.Http2();

        using var response = await client.PostAsync(_sidecar.UrlFor(_pod.GrpcPort, "/echo"), new StringContent("over h2c"));

        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("over h2c", await response.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2", _pod.Requests.Last(r => r.PathAndQuery == "/echo").Protocol);
    }

    [Fact]
    public async Task Grpc_UnaryAndServerStreaming_KeepBodiesAndTrailers()
    {
        var client = LoopbackClients.Grpc(_sidecar.UrlFor(_pod.GrpcPort), out var channel);
        using (channel)
        {
            var reply = await client.SayAsync(new EchoRequest { Text = "hi" });
            Assert.Equal(("hi", "pod"), (reply.Text, reply.ServedBy));

            using var call = client.Count(new EchoRequest { Text = "n", Times = 3 });
            var texts = new List<string>();
            await foreach (var item in call.ResponseStream.ReadAllAsync())
            {
                texts.Add(item.Text);
            }

            Assert.Equal(["n 1", "n 2", "n 3"], texts);
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            Assert.Equal("3", call.GetTrailers().GetValue("x-count"));
        }
    }

    [Fact]
    public async Task RawTcp_ServerSpeaksFirstProtocol_IsRelayedToTheContainer()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _sidecar.InboundPortFor(_database.Port));
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        await using var writer = new StreamWriter(client.GetStream(), Encoding.ASCII) { AutoFlush = true, NewLine = "\r\n" };

        Assert.Equal("HELLO from pod-db", await reader.ReadLineAsync());
        await writer.WriteLineAsync("select 1");
        Assert.Equal("SELECT 1", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task RawTcp_ClientSpeaksFirstNonHttp_IsRelayedToTheContainer()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _sidecar.InboundPortFor(_database.Port));
        var stream = client.GetStream();
        await stream.WriteAsync("\u0016\u0003\u0001 not http\r\n"u8.ToArray());
        using var reader = new StreamReader(stream, Encoding.ASCII);

        Assert.Equal("HELLO from pod-db", await reader.ReadLineAsync());
        Assert.Equal("\u0016\u0003\u0001 NOT HTTP", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Health_Endpoints_AnswerOnTheHealthPortOnly()
    {
        using var client = LoopbackClients.Http11();

        using var health = await client.GetAsync($"http://127.0.0.1:{_sidecar.HealthPort}/healthz");
        using var appPath = await client.GetAsync(_sidecar.UrlFor(_pod.HttpPort, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("pod", await appPath.ServedByAsync());
    }
}
