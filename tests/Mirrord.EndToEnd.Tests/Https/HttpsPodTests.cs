using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Mirrord.Demo;
using Mirrord.Incoming.Configuration;
using Mirrord.Injection;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Tls;

namespace Mirrord.EndToEnd.Tests.Https;

/// <summary>
/// A pod whose app terminates TLS itself on 8443, annotated for HTTPS stealing and injected by the
/// real injector: its Secret projected as the kubelet does (<see cref="SecretVolume"/>), the real
/// redirect, callers in the client namespace (curl with the CA file, gRPC over TLS). Needs root;
/// skipped with the reason elsewhere.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class HttpsPodTests
{
    private const int TlsPort = 8443;
    private const string ServiceName = "orders.shop.svc.cluster.local";

    [SkippableFact]
    public async Task AnnotatedPod_FilteredHttpsSteal_OverHttp2AndGrpc_OthersReachTheAppOverTls()
    {
        var unavailable = PodOnThisMachine.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        using var authority = TestCertificateAuthority.Create("shop CA");
        using var certificate = authority.IssueServer(ServiceName);
        using var secret = SecretVolume.With(certificate, authority.Pem);
        var files = Directory.CreateTempSubdirectory("mirrord-app-tls-").FullName;
        try
        {
            var (certificateFile, keyFile) = (Path.Combine(files, "tls.crt"), Path.Combine(files, "tls.key"));
            await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            var caFile = Path.Combine(files, "ca.crt");
            await File.WriteAllTextAsync(caFile, authority.Pem);

            var layout = new PodLayout(AnnotatedPod(), "app", [.. PodOnThisMachine.AppCommand, TlsPort.ToString(CultureInfo.InvariantCulture), certificateFile, keyFile], [.. PodOnThisMachine.AppPorts, TlsPort])
            {
                SecretFolders = new Dictionary<string, string> { ["orders-tls"] = secret.Path },
            };
            await using var env = await PodOnThisMachine.StartAsync(layout);

            // Stolen HTTPS requests reach the laptop decrypted, HTTP/2 kept: a local app serving h2c takes them (mappings are one to one).
            await using var local = await TestApp.StartAsync("laptop");
            await using (var session = await env.ConnectAsync(
                """{ "mode": "steal", "http_filter": { "header_filter": "^x-dev: alice$", "ports": [8443] } }""", more: [new PortMapping(local.GrpcPort, TlsPort)]))
            {
                Assert.EndsWith("laptop\n", await CurlAsync(env, caFile, "--http2", "-H", "X-Dev: alice"), StringComparison.Ordinal);
                Assert.EndsWith("pod\n", await CurlAsync(env, caFile, "--http1.1"), StringComparison.Ordinal);
                Assert.EndsWith("pod\n", await CurlAsync(env, caFile, "--http2"), StringComparison.Ordinal);
                Assert.Equal("laptop", await GrpcAsync(env, authority, ("x-dev", "alice")));
                Assert.Equal("pod", await GrpcAsync(env, authority));
            }

            // Every request reached the sidecar decrypted (none relayed as opaque bytes), and the app got the passed ones over TLS.
            var metrics = await env.Pod.Client.GetStringAsync($"http://{NamespacePod.PodAddress}:{Tunnel.SidecarPorts.Health}/metrics");
            Assert.Equal(0, MetricsText.Counter(metrics, "mirrord_tcp_connections_total", ("decision", "passed")));
            Assert.True(MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "h2")) >= 2, metrics);
            Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")));
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    /// <summary>The pod as a user writes it, through the injector as the webhook runs it.</summary>
    private static JsonObject AnnotatedPod()
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "orders",
                ["namespace"] = "shop",
                ["annotations"] = new JsonObject
                {
                    [PodAnnotations.Inject] = "true",
                    [PodAnnotations.TlsSecret] = "orders-tls",
                    [PodAnnotations.TlsPorts] = "https",
                },
            },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["image"] = "shop/orders",
                    ["ports"] = new JsonArray(
                        [.. PodOnThisMachine.AppPorts.Select(port => (JsonNode)new JsonObject { ["containerPort"] = port }),
                        new JsonObject { ["name"] = "https", ["containerPort"] = TlsPort }]),
                }),
            },
        };
        var result = new PodInjector(new InjectionOptions()).Inject(pod, new InjectionContext("shop", new Dictionary<string, string>()));
        Assert.True(result.Outcome == InjectionOutcome.Injected, result.Reason);
        result.Patch.ApplyTo(pod);
        return pod;
    }

    /// <summary>curl from the client namespace by the service's name with the CA file; its output.</summary>
    private static async Task<string> CurlAsync(PodOnThisMachine env, string caFile, params string[] options)
    {
        string[] command =
        [
            "curl", "-sS", "--max-time", "20", "--cacert", caFile, "--resolve", $"{ServiceName}:{TlsPort}:{NamespacePod.PodAddress}",
            .. options, $"https://{ServiceName}:{TlsPort}/whoami",
        ];
        var (code, output, error) = await env.Pod.ClientNamespace.RunAsync(command);
        Assert.True(code == 0, $"curl exited {code}: {error}");
        return output;
    }

    /// <summary>gRPC over TLS (HTTP/2 by ALPN) from the client namespace, the service's name in SNI; who served it.</summary>
    private static async Task<string> GrpcAsync(PodOnThisMachine env, TestCertificateAuthority authority, params (string Name, string Value)[] metadata)
    {
        var handler = env.Pod.CreateClientHandler();
        handler.SslOptions.TargetHost = ServiceName;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _)
            => presented is not null && authority.Issued(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
        using var channel = GrpcChannel.ForAddress($"https://{NamespacePod.PodAddress}:{TlsPort}", new GrpcChannelOptions { HttpHandler = handler });
        var headers = new Grpc.Core.Metadata();
        foreach (var (name, value) in metadata)
        {
            headers.Add(name, value);
        }

        return (await new Echo.EchoClient(channel).SayAsync(new EchoRequest { Text = "over TLS" }, headers)).ServedBy;
    }
}
