using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirrord.Testing.Kubernetes;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Tests;

/// <summary>
/// The real webhook, in-process, over HTTPS on loopback with a certificate in a temporary folder,
/// reading namespaces from a FAKE API server shared by the tests (<see cref="ApiAsync"/>) unless the
/// settings name another kubeconfig.
/// </summary>
internal sealed class WebhookHost : IAsyncDisposable
{
    private static readonly Lazy<Task<(FakeKubeApiServer Server, string Kubeconfig)>> s_api = new(async () =>
    {
        var server = await FakeKubeApiServer.StartAsync("mirrord-system");

        // The webhook's namespaceSelector only lets through pods of opted-in namespaces (or annotated pods).
        server.DefaultNamespaceLabels = new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" };
        return (server, server.WriteKubeconfig());
    });

    private readonly WebApplication _app;
    private readonly HashSet<string> _trusted = new(StringComparer.Ordinal);

    private WebhookHost(WebApplication app, string folder, int port, int metricsPort)
    {
        _app = app;
        Folder = folder;
        Port = port;
        MetricsPort = metricsPort;
    }

    public string Folder { get; }

    public int Port { get; }

    public int MetricsPort { get; }

    /// <summary>How often the hosts look at their certificate files.</summary>
    public static TimeSpan CertificateCheckInterval { get; } = TimeSpan.FromMilliseconds(200);

    public string CertificateFile => Path.Combine(Folder, "tls.crt");

    public string KeyFile => Path.Combine(Folder, "tls.key");

    /// <summary>The certificate the last TLS handshake of <see cref="Client"/> saw.</summary>
    public X509Certificate2? SeenCertificate { get; private set; }

    /// <summary>The fake API server the hosts read namespaces from; tests put namespaces of their own names there.</summary>
    public static async Task<FakeKubeApiServer> ApiAsync() => (await s_api.Value).Server;

    /// <summary>Starts a webhook; with <paramref name="time"/> (a fake clock), its certificate checks and renewals follow that clock.</summary>
    public static async Task<WebhookHost> StartAsync(bool writeCertificate = true, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var (_, kubeconfig) = await s_api.Value;
        var folder = Directory.CreateTempSubdirectory("mirrord-webhook-").FullName;
        var initial = writeCertificate ? TestCertificate.Write(Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key")) : null;

        var port = Mirrord.Testing.FreePort.Next();
        var metricsPort = Mirrord.Testing.FreePort.Next();
        var app = WebhookApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Webhook:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Webhook:MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Webhook:CertificateFile"] = Path.Combine(folder, "tls.crt"),
                ["Webhook:KeyFile"] = Path.Combine(folder, "tls.key"),
                ["Webhook:CertificateCheckInterval"] = CertificateCheckInterval.ToString(),
                // The first read builds the API client and its TLS session, which on a busy test machine can outlast the 1.5 s default.
                ["Webhook:NamespaceReadTimeout"] = TimeSpan.FromSeconds(30).ToString(),
                ["Injection:SidecarImage"] = "registry.example/mirrord/sidecar:0.1.0",
                ["Injection:OwnNamespace"] = "mirrord-system",
                ["Webhook:Kubeconfig"] = kubeconfig,
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        var host = new WebhookHost(app, folder, port, metricsPort);
        if (initial is not null)
        {
            host._trusted.Add(initial.Thumbprint);
        }
        try
        {
            await WebhookApplication.PrepareAsync(app, CancellationToken.None);
            await app.StartAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Trusts a certificate (or the CA) this host did not write itself.</summary>
    public void Trust(X509Certificate2 certificate)
    {
        lock (_trusted)
        {
            _trusted.Add(certificate.Thumbprint);
        }
    }

    /// <summary>Writes a new certificate over the files, as a Secret rotation does, and trusts it.</summary>
    public X509Certificate2 RotateCertificate(string commonName)
    {
        var certificate = TestCertificate.Write(CertificateFile, KeyFile, commonName);
        lock (_trusted)
        {
            _trusted.Add(certificate.Thumbprint);
        }

        return certificate;
    }

    /// <summary>An HTTPS client that trusts the certificates this host wrote (pinned) and remembers the one served; a new connection per request.</summary>
    public HttpClient Client() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                SeenCertificate = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                lock (_trusted)
                {
                    return SeenCertificate is not null && _trusted.Contains(SeenCertificate.Thumbprint);
                }
            },
        },
    })
    {
        BaseAddress = new Uri($"https://127.0.0.1:{Port}"),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
