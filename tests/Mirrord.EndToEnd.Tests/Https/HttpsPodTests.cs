using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Mirrord.Demo;
using Mirrord.Incoming.Configuration;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Tls;

namespace Mirrord.EndToEnd.Tests.Https;

/// <summary>
/// HTTPS stealing in a pod on this machine (<see cref="HttpsPod"/>): real TLS clients in the client
/// namespace (curl with the CA file over HTTP/1.1 and HTTP/2, gRPC over TLS), certificates made by
/// the test. Needs root; skipped with the reason elsewhere.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class HttpsPodTests
{
    private const string AliceOnly = """{ "mode": "steal", "http_filter": { "header_filter": "^x-dev: alice$", "ports": [8443] } }""";

    [SkippableFact]
    public async Task FilteredSteal_OverHttp2AndGrpc_OthersReachTheAppOverTls()
    {
        SkipUnlessPodsCanBeBuilt();
        await using var pod = await HttpsPod.StartAsync();

        // Stolen HTTPS requests reach the laptop decrypted, HTTP/2 kept: a local app serving h2c takes them (mappings are one to one).
        await using var local = await TestApp.StartAsync("laptop");
        await using (var session = await pod.Env.ConnectAsync(AliceOnly, more: [new PortMapping(local.GrpcPort, HttpsPod.TlsPort)]))
        {
            Assert.Equal("laptop", await pod.ServedByAsync("--http2", "-H", "X-Dev: alice"));
            Assert.Equal("pod", await pod.ServedByAsync("--http1.1"));
            Assert.Equal("pod", await pod.ServedByAsync("--http2"));
            Assert.Equal("laptop", await GrpcAsync(pod, ("x-dev", "alice")));
            Assert.Equal("pod", await GrpcAsync(pod));
        }

        // Every request reached the sidecar decrypted (none relayed as opaque bytes).
        var metrics = await pod.SidecarMetricsAsync();
        Assert.Equal(0, MetricsText.Counter(metrics, "mirrord_tcp_connections_total", ("decision", "passed")));
        Assert.True(MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "h2")) >= 2, metrics);
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
    }

    [SkippableFact]
    public async Task SecretMissingAtStart_RelayedAsBytes_ThenFilteredOnceWritten_AndStillAfterRotation_MirrorToo()
    {
        SkipUnlessPodsCanBeBuilt();
        await using var pod = await HttpsPod.StartAsync(secret: (_, _, _) => { });
        await using var local = await TestApp.StartAsync("laptop");
        var toLocal = new[] { new PortMapping(local.HttpPort, HttpsPod.TlsPort) };

        await using (var session = await pod.Env.ConnectAsync(AliceOnly, more: toLocal))
        {
            // No Secret yet (an optional volume, so the pod started): the port works as before, unfiltered.
            Assert.Equal("pod", await pod.ServedByAsync("--http1.1", "-H", "X-Dev: alice"));

            // The kubelet writes the Secret; the sidecar picks it up on its next look (every 10 s).
            using var first = pod.Authority.IssueServer(HttpsPod.ServiceName);
            pod.Secret.Write(first, pod.Authority.Pem);
            await Poll.UntilAsync(async () => await pod.ServedByAsync("--http1.1", "-H", "X-Dev: alice") == "laptop", "stolen once the Secret is there", TimeSpan.FromSeconds(30));

            // The certificate is renewed: new connections get it; the app, still on the one it started with, is still trusted.
            using var renewed = pod.Authority.IssueServer(HttpsPod.ServiceName, commonName: "orders renewed");
            pod.Secret.Write(renewed, pod.Authority.Pem);
            await Poll.UntilAsync(async () => (await pod.CurlAsync("-v", "--http1.1")).Error.Contains("subject: CN=orders renewed", StringComparison.Ordinal), "the renewed certificate is served", TimeSpan.FromSeconds(30));
            Assert.Equal("laptop", await pod.ServedByAsync("--http1.1", "-H", "X-Dev: alice"));
            Assert.Equal("pod", await pod.ServedByAsync("--http1.1"));
        }

        await using (var mirror = await pod.Env.ConnectAsync("""{ "mode": "mirror", "http_filter": { "path_filter": "^/whoami", "ports": [8443] } }""", "bob", toLocal))
        {
            Assert.Equal("pod", await pod.ServedByAsync("--http1.1", "-H", "X-Copy: 1"));
            await Poll.UntilAsync(() => local.Requests.Any(r => r.Headers.ContainsKey("X-Copy")), "the local app got the decrypted copy");
        }
    }

    [SkippableFact]
    public async Task SecretThatIsNotTheAppsCertificate_AndBytesThatAreNotTls_GoToTheAppUntouched()
    {
        SkipUnlessPodsCanBeBuilt();
        using var other = TestCertificateAuthority.Create("another CA");
        await using var pod = await HttpsPod.StartAsync(secret: (volume, _, _) => volume.Write(other.IssueServer(HttpsPod.ServiceName), other.Pem));
        await using var local = await TestApp.StartAsync("laptop");

        await using (var session = await pod.Env.ConnectAsync(AliceOnly, more: [new PortMapping(local.HttpPort, HttpsPod.TlsPort)]))
        {
            Assert.Equal("pod", await pod.ServedByAsync("--http1.1", "-H", "X-Dev: alice"));
            Assert.Contains("does not present the certificate in the mounted Secret", session.Output, StringComparison.Ordinal);
        }

        using (var socket = await pod.Env.Pod.ConnectFromClientAsync(HttpsPod.TlsPort, CancellationToken.None))
        {
            await socket.SendAsync(new byte[] { 0x00, 0x01, 0x02, 0xff });
            var read = await socket.ReceiveAsync(new byte[256], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(read >= 0);
        }

        Assert.Empty(local.Requests);
        Assert.True(MetricsText.Counter(await pod.SidecarMetricsAsync(), "mirrord_tcp_connections_total", ("decision", "passed")) >= 2);
    }

    [SkippableFact]
    public async Task ExpiredCertificate_CallersThatCheckItRefuseIt_OthersAreStillFiltered()
    {
        SkipUnlessPodsCanBeBuilt();
        await using var pod = await HttpsPod.StartAsync(appCertificate: authority => authority.IssueServer(HttpsPod.ServiceName, TimeSpan.FromHours(-1)));
        await using var local = await TestApp.StartAsync("laptop");

        await using var session = await pod.Env.ConnectAsync(AliceOnly, more: [new PortMapping(local.HttpPort, HttpsPod.TlsPort)]);
        var checking = await pod.CurlAsync("--http1.1", "-H", "X-Dev: alice");

        Assert.Equal(60, checking.Exit);
        Assert.Contains("expired", checking.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("laptop", await pod.ServedByAsync("--http1.1", "-k", "-H", "X-Dev: alice"));
    }

    private static void SkipUnlessPodsCanBeBuilt()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        Skip.IfNot(File.Exists("/usr/bin/curl") || File.Exists("/bin/curl"), "curl not installed (the pod's callers are curl; .ci/run installs it)");
    }

    /// <summary>gRPC over TLS (HTTP/2 by ALPN) from the client namespace, the service's name in SNI; who served it.</summary>
    private static async Task<string> GrpcAsync(HttpsPod pod, params (string Name, string Value)[] metadata)
    {
        var handler = pod.Env.Pod.CreateClientHandler();
        handler.SslOptions.TargetHost = HttpsPod.ServiceName;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _)
            => presented is not null && pod.Authority.Issued(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        using var channel = GrpcChannel.ForAddress($"https://{NamespacePod.PodAddress}:{HttpsPod.TlsPort}", new GrpcChannelOptions { HttpHandler = handler });
        var headers = new Grpc.Core.Metadata();
        foreach (var (name, value) in metadata)
        {
            headers.Add(name, value);
        }

        return (await new Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "over TLS" }, headers)).ServedBy;
    }
}
