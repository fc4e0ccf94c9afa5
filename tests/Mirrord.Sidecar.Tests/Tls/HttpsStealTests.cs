using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Tls;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Tls;

/// <summary>
/// HTTPS stealing on loopback with real TLS clients (curl with a CA file, HttpClient choosing
/// HTTP/2 by ALPN, gRPC over TLS) and certificates made by the test.
/// </summary>
public sealed class HttpsStealTests(ITestOutputHelper output)
{
    private const string Alice = "\"header_filter\": \"^X-Dev: alice$\"";

    [SkippableFact]
    public async Task Curl_FilteredRequestsAreStolenInClear_OthersReachTheAppOverTls()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", Alice);

        var passed = await CurlAliceThenAnyoneAsync(pod);

        Assert.Contains("x-client-certificate: none", passed, StringComparison.OrdinalIgnoreCase);

        // The laptop's port is cleartext HTTP/1.1: the request arrived decrypted.
        Assert.Contains(pod.Laptop.Requests, r => r.PathAndQuery == "/whoami" && r.Protocol == "HTTP/1.1");
    }

    [SkippableFact]
    public async Task WithoutTheOptIn_TlsIsRelayedAsBytes_AsBefore()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, httpsStealing: false);
        await using var cli = await pod.ConnectAsync("steal", Alice);

        var answer = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");

        Assert.True(answer.Exit == 0, answer.Error);
        Assert.EndsWith("pod\n", answer.Body, StringComparison.Ordinal);
        using var client = new HttpClient();
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{pod.Sidecar.HealthPort}/metrics");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_tcp_connections_total", ("decision", "passed")));
        Assert.Equal(0, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        Assert.Empty(pod.Laptop.Requests);
    }

    [SkippableFact]
    public async Task Http2ChosenByAlpn_IsFilteredToo_AndStaysHttp2BothWays()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", Alice, http2: true);
        using var client = pod.Client(HttpVersion.Version20);

        using var stolenRequest = new HttpRequestMessage(HttpMethod.Get, pod.Url("/whoami")) { Version = HttpVersion.Version20 };
        stolenRequest.Headers.Add("X-Dev", "alice");
        using var stolen = await client.SendAsync(stolenRequest);
        using var passed = await client.GetAsync(pod.Url("/whoami"));

        Assert.Equal("laptop", await stolen.ServedByAsync());
        Assert.Equal(HttpVersion.Version20, stolen.Version);
        Assert.Equal("pod", await passed.ServedByAsync());
        Assert.Equal(HttpVersion.Version20, passed.Version);
        Assert.Contains(pod.Pod.Requests, r => r.Protocol == "HTTP/2");
    }

    [SkippableFact]
    public async Task GrpcOverTls_CallsWithTheDevelopersMetadataAreStolen_OthersServedByTheApp()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", "\"header_filter\": \"^x-dev: alice$\"", http2: true);
        var client = pod.Grpc(out var channel);
        using (channel)
        {
            var stolen = await client.SayAsync(new EchoRequest { Text = "hi" }, new Metadata { { "x-dev", "alice" } });
            var passed = await client.SayAsync(new EchoRequest { Text = "hi" });

            Assert.Equal("laptop", stolen.ServedBy);
            Assert.Equal("pod", passed.ServedBy);
        }
    }

    [SkippableFact]
    public async Task HttpsDeliveryTls_StolenRequestsReachALocalServerOverTls_TrustedByTheDevelopersCa()
    {
        using var localAuthority = TestCertificateAuthority.Create("developer's local CA");
        using var localCertificate = localAuthority.IssueServer("localhost");
        var localCa = Path.Combine(Path.GetTempPath(), $"mirrord-local-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(localCa, localAuthority.Pem);
        try
        {
            await using var pod = await HttpsPod.StartAsync(output.WriteLine, laptopTls: new TestAppTls(() => localCertificate));
            await using var cli = await pod.ConnectAsync(
                "steal", Alice, localPort: pod.Laptop.TlsPort, extra: $$"""
                    "https_delivery": { "protocol": "tls", "trust_roots": ["{{localCa}}"], "server_name": "localhost" }
                    """);

            var stolen = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");

            Assert.True(stolen.Exit == 0, stolen.Error);
            Assert.EndsWith("laptop\n", stolen.Body, StringComparison.Ordinal);

            // The local server terminated TLS itself: it marks what it served over HTTPS.
            Assert.Contains("x-client-certificate: none", stolen.Body, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(localCa);
        }
    }

    [SkippableFact]
    public async Task ShareLink_OnAnHttpsPort_SetsASecureCookie_AndTheCookiesRequestsReachTheSessionWithItsKey()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await CliSession.ConnectAsync(pod.Sidecar, [.. pod.ConnectArgs("steal", "\"header_filter\": \"^baggage: .*mirrord-session={{ key }}.*$\""), "--key", "carol-3"]);
        var jar = Path.Combine(Path.GetTempPath(), $"mirrord-cookies-{Guid.NewGuid():N}.txt");
        try
        {
            // curl as a browser: it follows the redirect and keeps the cookie in its jar for the next request.
            var opened = await pod.CurlAsync("/whoami?mirrord-session=carol-3", "--http1.1", "-L", "-c", jar, "-b", jar);
            var later = await pod.CurlAsync("/whoami", "--http1.1", "-b", jar);
            var stranger = await pod.CurlAsync("/whoami", "--http1.1");

            Assert.True(opened.Exit == 0, opened.Error);
            Assert.Contains("set-cookie: mirrord-session=carol-3; Path=/; HttpOnly; SameSite=Lax; Secure", opened.Body, StringComparison.OrdinalIgnoreCase);
            Assert.EndsWith("laptop\n", opened.Body, StringComparison.Ordinal);
            Assert.EndsWith("laptop\n", later.Body, StringComparison.Ordinal);
            Assert.EndsWith("pod\n", stranger.Body, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(jar);
        }
    }

    [SkippableFact]
    public async Task TlsDeliveryNotSet_StolenRequestsReachTheLocalServerOverTls_WhateverItsCertificate_AsInMirrord()
    {
        // mirrord: tls_delivery absent is LocalTlsDelivery::default() (protocol tls), and without trust_roots or
        // server_cert its client accepts any certificate (intproxy proxies/incoming/tls.rs, DangerousNoVerifierServer).
        using var unrelated = TestCertificateAuthority.Create("a CA nobody trusts");
        using var localCertificate = unrelated.IssueServer("some-other-name.example");
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, laptopTls: new TestAppTls(() => localCertificate));
        await using var cli = await pod.ConnectAsync("steal", Alice, localPort: pod.Laptop.TlsPort, extra: "\"tls_delivery\": null");

        var stolen = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");

        Assert.True(stolen.Exit == 0, stolen.Error);
        Assert.EndsWith("laptop\n", stolen.Body, StringComparison.Ordinal);
        Assert.Contains("x-client-certificate: none", stolen.Body, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task TlsDeliveryWithoutServerName_TheCallersSniNamesTheLocalServer()
    {
        // mirrord intproxy http/client_store.rs: server_name, else the server_cert's name, else the caller's SNI, else the
        // request's host, else localhost. The local certificate is for the service's name, which curl sent as SNI.
        using var localAuthority = TestCertificateAuthority.Create("developer's local CA");
        using var localCertificate = localAuthority.IssueServer(HttpsPod.ServiceName);
        var localCa = Path.Combine(Path.GetTempPath(), $"mirrord-local-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(localCa, localAuthority.Pem);
        try
        {
            await using var pod = await HttpsPod.StartAsync(output.WriteLine, laptopTls: new TestAppTls(() => localCertificate));
            await using var bySni = await pod.ConnectAsync(
                "steal", Alice, localPort: pod.Laptop.TlsPort, extra: $$"""
                    "tls_delivery": { "trust_roots": ["{{localCa}}"] }
                    """);
            var stolen = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");
            Assert.True(stolen.Exit == 0, stolen.Error);
            Assert.EndsWith("laptop\n", stolen.Body, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(localCa);
        }
    }

    [SkippableFact]
    public async Task HttpsDeliveryTls_WithAnUnreadableTrustRoot_ConnectStopsNamingTheSetting()
    {
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, """
            { "feature": { "network": { "incoming": { "mode": "steal",
              "https_delivery": { "protocol": "tls", "trust_roots": ["/nonexistent/ca.pem"] } } } } }
            """);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Cli.CliApplication.RunAsync(["connect", "--sidecar-address", "127.0.0.1:1", "-f", config], stdout, stderr, CancellationToken.None);

            Assert.Equal(2, exit);
            Assert.Contains("feature.network.incoming.https_delivery.trust_roots[0]: cannot read a PEM certificate from /nonexistent/ca.pem", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [SkippableFact]
    public async Task Mirror_TheAppAnswers_AndTheLaptopGetsADecryptedCopy()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("mirror", "\"path_filter\": \"^/whoami\"");

        var answer = await pod.CurlAsync("/whoami?copy=1", "--http1.1");

        Assert.True(answer.Exit == 0, answer.Error);
        Assert.EndsWith("pod\n", answer.Body, StringComparison.Ordinal);
        await Poll.UntilAsync(() => pod.Laptop.Requests.Any(r => r.PathAndQuery == "/whoami?copy=1"), "the laptop got the copy");
    }

    [SkippableFact]
    public async Task AppPresentsAnotherCertificateThanTheSecrets_PortIsRelayedUnfiltered_AndKeepsWorking()
    {
        using var other = TestCertificateAuthority.Create("another CA");
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, secret: (_, _) => SecretVolume.With(other.IssueServer(HttpsPod.ServiceName), other.Pem));
        await using var cli = await pod.ConnectAsync("steal", Alice);

        var answer = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");

        Assert.True(answer.Exit == 0, answer.Error);
        Assert.EndsWith("pod\n", answer.Body, StringComparison.Ordinal);
        Assert.Empty(pod.Laptop.Requests);
        Assert.Contains(pod.Sidecar.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("does not present the certificate in the mounted Secret", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task PortRefusedOnce_IsAskedAgainAfterItsBackOff_AndTheDeveloperIsToldWhenItIsFiltered()
    {
        // The app comes up with an old certificate, then serves the Secret's (a restart, a late cert-manager).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var old = TestCertificateAuthority.Create("old CA");
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, time: clock);
        var secrets = pod.Served;
        pod.Served = old.IssueServer(HttpsPod.ServiceName);
        await using var cli = await pod.ConnectAsync("steal", Alice);
        await cli.WaitForLineAsync(line => line.Contains($"HTTPS on port {pod.Port} is relayed unfiltered", StringComparison.Ordinal));
        pod.Served = secrets;

        var beforeTheBackOff = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");
        clock.Advance(Mirrord.Sidecar.Tls.AppTlsProbe.RetryAfter(1));
        var afterIt = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");

        Assert.EndsWith("pod\n", beforeTheBackOff.Body, StringComparison.Ordinal);
        Assert.EndsWith("laptop\n", afterIt.Body, StringComparison.Ordinal);
        await cli.WaitForLineAsync(line => line.Contains($"HTTPS on port {pod.Port} is filtered now", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task ExpiredCertificate_CallersThatCheckItRefuseIt_AsTheyWouldTheAppsOwn()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, validFor: TimeSpan.FromHours(-1));
        await using var cli = await pod.ConnectAsync("steal", Alice);

        var checking = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");
        var notChecking = await pod.CurlAsync("/whoami", "--http1.1", "-k", "-H", "X-Dev: alice");

        Assert.Equal(60, checking.Exit);
        Assert.Contains("expired", checking.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(notChecking.Exit == 0, notChecking.Error);
        Assert.EndsWith("laptop\n", notChecking.Body, StringComparison.Ordinal);
        Assert.Contains(pod.Sidecar.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("expired", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task MissingSecret_TlsIsRelayedUnfiltered_UntilTheKubeletWritesIt()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, secret: (_, _) => SecretVolume.Empty());
        await using var cli = await pod.ConnectAsync("steal", Alice);

        var before = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");
        Assert.True(before.Exit == 0, before.Error);
        Assert.EndsWith("pod\n", before.Body, StringComparison.Ordinal);
        Assert.Contains(pod.Sidecar.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("is the Secret there?", StringComparison.Ordinal));

        pod.Secret.Write(pod.Served, pod.Authority.Pem);

        await Poll.UntilAsync(
            async () => (await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice")).Body.EndsWith("laptop\n", StringComparison.Ordinal),
            "a request with the developer's header is stolen once the Secret is there");
    }

    [SkippableFact]
    public async Task CallerQuietAfterItsHandshake_IsServedWhenItSpeaks_AsTheAppWouldServeIt()
    {
        // Certificate checkers and pooled clients complete the handshake and send their request later.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pod = await HttpsPod.StartAsync(output.WriteLine, time: clock);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, pod.Sidecar.InboundPortFor(pod.Port));
        await using var tls = new SslStream(new NetworkStream(socket));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = HttpsPod.ServiceName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && pod.Authority.Issued(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
        });

        // Far past the silence after which a cleartext connection is taken for a server-speaks-first protocol.
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /whoami HTTP/1.1\r\nHost: {HttpsPod.ServiceName}\r\nConnection: close\r\n\r\n"));
        var answer = await new StreamReader(tls).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("x-served-by: pod", answer, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(pod.Sidecar.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [SkippableFact]
    public async Task Http2CallersClosingTheirConnections_AreRoutine_NothingIsLoggedAsAnError()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", Alice, http2: true);

        // Each caller opens its own HTTP/2 connection over TLS, is answered, and goes away, as gRPC clients do when they exit.
        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            using var client = pod.Client(HttpVersion.Version20);
            using var request = new HttpRequestMessage(HttpMethod.Get, pod.Url("/whoami")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            if (i % 2 == 0)
            {
                request.Headers.Add("X-Dev", "alice");
            }

            using var response = await client.SendAsync(request, token);
            Assert.Equal(i % 2 == 0 ? "laptop" : "pod", await response.ServedByAsync());
        });

        Assert.DoesNotContain(pod.Sidecar.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [SkippableFact]
    public async Task CallersInventingHosts_GetAnswers_WithoutTheSidecarKeepingAPoolForEachHost()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);

        // A client that sends whatever Host it likes (and that name in SNI), and trusts the test's authority whatever the name.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, pod.Sidecar.InboundPortFor(pod.Port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && pod.Authority.Issued(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
            },
        });

        for (var i = 0; i < 3 * Mirrord.Sidecar.Forwarding.AppInvoker.PooledHosts; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pod.Url("/whoami"));
            request.Headers.Host = $"made-up-{i}.example";
            using var response = await client.SendAsync(request);
            Assert.Equal("pod", await response.ServedByAsync());
        }

        Assert.Equal(Mirrord.Sidecar.Forwarding.AppInvoker.PooledHosts, pod.Sidecar.Services.GetRequiredService<Mirrord.Sidecar.Forwarding.AppInvoker>().PooledTlsClients);
    }

    [SkippableFact]
    public async Task PlaintextHttpOnATlsPort_GoesToTheAppAsBytes_NeverToTheLaptop()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", Alice);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, pod.Sidecar.InboundPortFor(pod.Port));
        await using var stream = new NetworkStream(socket);

        // Without the sidecar the app's TLS stack refuses this; through it, it must not reach a developer in clear.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /whoami HTTP/1.1\r\nHost: {HttpsPod.ServiceName}\r\nX-Dev: alice\r\nConnection: close\r\n\r\n"));
        var answer = await new StreamReader(stream).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.DoesNotContain("laptop", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Empty(pod.Laptop.Requests);
        Assert.Empty(pod.Pod.Requests);
    }

    [SkippableFact]
    public async Task BytesThatAreNotTls_OnATlsPort_GoToTheAppUntouched_AsWithoutHttpsStealing()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, pod.Sidecar.InboundPortFor(pod.Port));

        await socket.SendAsync(new byte[] { 0x00, 0x01, 0x02, 0xff, 0x16 });
        var buffer = new byte[1024];
        var read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(20));

        // The app's TLS stack refused the bytes and closed the connection, as it would have without the sidecar.
        Assert.True(read >= 0);
        using var client = new HttpClient();
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{pod.Sidecar.HealthPort}/metrics");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_tcp_connections_total", ("decision", "passed")));
        Assert.DoesNotContain(pod.Sidecar.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [SkippableFact]
    public async Task SecretRotated_OpenConnectionsKeepWorking_NewConnectionsGetTheNewCertificate()
    {
        await using var pod = await HttpsPod.StartAsync(output.WriteLine);
        await using var cli = await pod.ConnectAsync("steal", Alice, http2: true);
        var presented = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        using var open = pod.Client(HttpVersion.Version20, presented);
        Assert.Equal("pod", await (await open.GetAsync(pod.Url("/whoami"))).ServedByAsync());

        using var renewed = pod.Authority.IssueServer(HttpsPod.ServiceName);
        pod.Secret.Write(renewed, pod.Authority.Pem);

        // The app has not picked up its own copy yet and still presents the old certificate: that is still the app's.
        using var stolen = new HttpRequestMessage(HttpMethod.Get, pod.Url("/whoami")) { Version = HttpVersion.Version20 };
        stolen.Headers.Add("X-Dev", "alice");
        Assert.Equal("laptop", await (await open.SendAsync(stolen)).ServedByAsync());
        Assert.Equal("pod", await (await open.GetAsync(pod.Url("/whoami"))).ServedByAsync());
        Assert.Single(presented);

        await Poll.UntilAsync(
            async () =>
            {
                var seen = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
                using var fresh = pod.Client(HttpVersion.Version20, seen);
                using var response = await fresh.GetAsync(pod.Url("/whoami"));
                return seen.Single().Thumbprint == renewed.Thumbprint && await response.ServedByAsync() == "pod";
            },
            "a new connection is served the renewed certificate");
    }

    /// <summary>Curls once with the developer's header (stolen: the laptop answers) and once without (the app answers); returns the app's answer with headers.</summary>
    private static async Task<string> CurlAliceThenAnyoneAsync(HttpsPod pod)
    {
        var stolen = await pod.CurlAsync("/whoami", "--http1.1", "-H", "X-Dev: alice");
        var passed = await pod.CurlAsync("/whoami", "--http1.1");

        Assert.True(stolen.Exit == 0, stolen.Error);
        Assert.EndsWith("laptop\n", stolen.Body, StringComparison.Ordinal);
        Assert.True(passed.Exit == 0, passed.Error);
        Assert.EndsWith("pod\n", passed.Body, StringComparison.Ordinal);
        return passed.Body;
    }
}
