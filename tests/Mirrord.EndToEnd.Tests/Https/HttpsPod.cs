using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Mirrord.Demo;
using Mirrord.Injection;
using Mirrord.Testing.Tls;

namespace Mirrord.EndToEnd.Tests.Https;

/// <summary>
/// A pod on this machine whose app terminates TLS itself on <see cref="TlsPort"/>, annotated for
/// HTTPS stealing and injected by the real injector, its Secret projected as the kubelet does
/// (<see cref="SecretVolume"/>), behind the real redirect; callers speak from the client namespace
/// by the service's name.
/// </summary>
internal sealed class HttpsPod : IAsyncDisposable
{
    public const int TlsPort = 8443;
    public const string ServiceName = "orders.shop.svc.cluster.local";

    private readonly string _files;

    private HttpsPod(string files, TestCertificateAuthority authority, SecretVolume secret)
    {
        _files = files;
        Authority = authority;
        Secret = secret;
    }

    public TestCertificateAuthority Authority { get; }

    public SecretVolume Secret { get; }

    public PodOnThisMachine Env { get; private set; } = null!;

    /// <summary>The CA file callers are given.</summary>
    public string CaFile => Path.Combine(_files, "ca.crt");

    /// <summary>
    /// Starts the pod; the app serves <paramref name="appCertificate"/> (default: one for the service from
    /// the test's authority) and the Secret holds what <paramref name="secret"/> writes (default: the same).
    /// </summary>
    public static async Task<HttpsPod> StartAsync(Func<TestCertificateAuthority, X509Certificate2>? appCertificate = null, Action<SecretVolume, TestCertificateAuthority, X509Certificate2>? secret = null)
    {
        var authority = TestCertificateAuthority.Create("shop CA");
        var served = appCertificate?.Invoke(authority) ?? authority.IssueServer(ServiceName);
        var volume = SecretVolume.Empty();
        (secret ?? ((v, a, c) => v.Write(c, a.Pem)))(volume, authority, served);
        var files = Directory.CreateTempSubdirectory("mirrord-app-tls-").FullName;
        var pod = new HttpsPod(files, authority, volume);
        var (certificateFile, keyFile) = (Path.Combine(files, "tls.crt"), Path.Combine(files, "tls.key"));
        await File.WriteAllTextAsync(certificateFile, served.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, served.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(pod.CaFile, authority.Pem);
        try
        {
            var layout = new PodLayout(AnnotatedPod(), "app", [.. PodOnThisMachine.AppCommand, TlsPort.ToString(CultureInfo.InvariantCulture), certificateFile, keyFile], [.. PodOnThisMachine.AppPorts, TlsPort])
            {
                SecretFolders = new Dictionary<string, string> { ["orders-tls"] = volume.Path },
            };
            pod.Env = await PodOnThisMachine.StartAsync(layout);
            return pod;
        }
        catch
        {
            await pod.DisposeAsync();
            throw;
        }
    }

    /// <summary>curl from the client namespace by the service's name with the CA file: exit code, output (headers and body), error.</summary>
    public async Task<(int Exit, string Output, string Error)> CurlAsync(params string[] options)
    {
        string[] command =
        [
            "curl", "-sS", "--max-time", "20", "--cacert", CaFile, "--resolve", $"{ServiceName}:{TlsPort}:{NamespacePod.PodAddress}",
            .. options, $"https://{ServiceName}:{TlsPort}/whoami",
        ];
        return await Env.Pod.ClientNamespace.RunAsync(command);
    }

    /// <summary>Who answered curl's request (the body's last line), or curl's error.</summary>
    public async Task<string> ServedByAsync(params string[] options)
    {
        var (exit, output, error) = await CurlAsync(options);
        return exit == 0 ? output.TrimEnd('\n').Split('\n')[^1] : $"curl exited {exit}: {error}";
    }

    /// <summary>The sidecar's metrics, read from its health port.</summary>
    public Task<string> SidecarMetricsAsync()
        => Env.Pod.Client.GetStringAsync($"http://{NamespacePod.PodAddress}:{Tunnel.SidecarPorts.Health}/metrics");

    public async ValueTask DisposeAsync()
    {
        if (Env is not null)
        {
            await Env.DisposeAsync();
        }

        Secret.Dispose();
        Authority.Dispose();
        Directory.Delete(_files, recursive: true);
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
}
