using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Testing.Tls;

namespace Mirrord.Sidecar.Tests.Tls;

/// <summary>
/// A pod whose app terminates TLS itself on <see cref="TestApp.TlsPort"/> with a certificate from
/// the test's authority, its sidecar given that certificate through a Secret volume, and a laptop
/// serving cleartext, all on loopback. Callers name the service <see cref="ServiceName"/> (SNI and
/// Host) and trust only the test's authority, as clients given the CA file do.
/// </summary>
internal sealed class HttpsPod : IAsyncDisposable
{
    public const string ServiceName = "orders.shop.svc.cluster.local";

    private readonly List<string> _files = [];

    private HttpsPod(TestCertificateAuthority authority, X509Certificate2 served, SecretVolume secret, SecretVolume? clientSecret, TestApp pod, TestApp laptop, SidecarHost sidecar)
    {
        Authority = authority;
        Served = served;
        Secret = secret;
        ClientSecret = clientSecret;
        Pod = pod;
        Laptop = laptop;
        Sidecar = sidecar;
    }

    public TestCertificateAuthority Authority { get; }

    /// <summary>The certificate the app serves now (a test may change it).</summary>
    public X509Certificate2 Served { get; set; }

    public SecretVolume Secret { get; }

    public SecretVolume? ClientSecret { get; }

    public SecretVolume? ClientAuthorities { get; private init; }

    public TestApp Pod { get; }

    public TestApp Laptop { get; }

    public SidecarHost Sidecar { get; }

    public int Port => Pod.TlsPort;

    /// <summary>Starts it. <paramref name="secret"/> is what the Secret volume holds (default: the app's certificate with ca.crt).</summary>
    public static async Task<HttpsPod> StartAsync(
        Action<string>? output = null,
        Func<TestCertificateAuthority, X509Certificate2, SecretVolume>? secret = null,
        Func<TestAppTls, TestAppTls>? appTls = null,
        SecretVolume? clientSecret = null,
        TimeSpan? validFor = null,
        TestAppTls? laptopTls = null,
        bool httpsStealing = true,
        TimeProvider? time = null,
        SecretVolume? clientAuthorities = null,
        bool forwardClientCertificate = false)
    {
        // On a fake clock, sessions must not be reaped for the silence the test's jumps create.
        var sessionTimeout = time is null ? null : "01:00:00";
        var authority = TestCertificateAuthority.Create("test CA");
        var served = authority.IssueServer(ServiceName, validFor);
        var volume = secret?.Invoke(authority, served) ?? SecretVolume.With(served, authority.Pem);
        HttpsPod? self = null;
        var tls = new TestAppTls(() => self?.Served ?? served);
        var pod = await TestApp.StartAsync("pod", appTls?.Invoke(tls) ?? tls);
        var laptop = await TestApp.StartAsync("laptop", laptopTls);
        var settings = new Dictionary<string, string?>
        {
            ["Sidecar:Tls:Ports"] = httpsStealing ? pod.TlsPort.ToString(CultureInfo.InvariantCulture) : string.Empty,
            ["Sidecar:Tls:CertificateDirectory"] = volume.Path,
            ["Sidecar:Tls:ClientCertificateDirectory"] = clientSecret?.Path ?? string.Empty,
            ["Sidecar:Tls:ClientAuthorityDirectory"] = clientAuthorities?.Path ?? string.Empty,
            ["Sidecar:Tls:ForwardClientCertificate"] = forwardClientCertificate ? "true" : "false",
            ["Sidecar:Tls:ReloadInterval"] = "00:00:00.200",
        };
        if (sessionTimeout is not null)
        {
            settings["Sidecar:SessionTimeout"] = sessionTimeout;
        }
        var sidecar = await SidecarHost.StartAsync([pod.TlsPort, pod.HttpPort], settings, output, time);
        self = new HttpsPod(authority, served, volume, clientSecret, pod, laptop, sidecar) { ClientAuthorities = clientAuthorities };
        return self;
    }

    /// <summary>
    /// Connects a session; stolen requests go to the laptop's cleartext HTTP/1.1 port, or its h2c port when
    /// <paramref name="http2"/>, or <paramref name="localPort"/>; <paramref name="extra"/> adds members to the incoming object.
    /// Requests are delivered in clear HTTP (<c>tls_delivery</c> "tcp") unless <paramref name="extra"/> says how.
    /// </summary>
    public Task<CliSession> ConnectAsync(string mode, string? httpFilter, bool http2 = false, int? localPort = null, string? extra = null)
        => CliSession.ConnectAsync(Sidecar, ConnectArgs(mode, httpFilter, http2, localPort, extra));

    /// <summary>The connect arguments <see cref="ConnectAsync"/> uses: a config file written for this pod's ports.</summary>
    public string[] ConnectArgs(string mode, string? httpFilter, bool http2 = false, int? localPort = null, string? extra = null)
    {
        var filter = httpFilter is null ? string.Empty : $", \"http_filter\": {{ {httpFilter}, \"ports\": [{Port}] }}";
        extra ??= "\"tls_delivery\": { \"protocol\": \"tcp\" }";
        var json = $$"""
            { "feature": { "network": { "incoming": {
              "mode": "{{mode}}"{{filter}},
              "port_mapping": [[{{localPort ?? (http2 ? Laptop.GrpcPort : Laptop.HttpPort)}}, {{Port}}]]{{(extra is null ? string.Empty : ", " + extra)}}
            } } } }
            """;
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        _files.Add(path);
        return ["-f", path];
    }

    /// <summary>The sidecar's address for the TLS port, by the service's name.</summary>
    public Uri Url(string path = "/") => new($"https://{ServiceName}:{Sidecar.InboundPortFor(Port).ToString(CultureInfo.InvariantCulture)}{path}");

    /// <summary>
    /// A client that resolves the service's name to the sidecar, sends it in SNI, and trusts only
    /// the test's authority; <paramref name="presented"/> collects the certificates servers presented.
    /// </summary>
    public HttpClient Client(Version version, List<X509Certificate2>? presented = null, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, Sidecar.InboundPortFor(Port), cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    var received = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    lock (presented ?? [])
                    {
                        presented?.Add(received);
                    }

                    return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Authority.Issued(received);
                },
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>A gRPC client over TLS by the service's name (HTTP/2 chosen by ALPN).</summary>
    public Echo.EchoClient Grpc(out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(Url(), new GrpcChannelOptions { HttpClient = Client(HttpVersion.Version20) });
        return new Echo.EchoClient(channel);
    }

    /// <summary>
    /// Runs curl against the sidecar by the service's name with <c>--cacert</c>, as a user would;
    /// returns its exit code, the body and what it wrote to stderr.
    /// </summary>
    public async Task<(int Exit, string Body, string Error)> CurlAsync(string path, string protocol, params string[] extra)
    {
        Skip.IfNot(
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "curl")) || File.Exists(Path.Combine(dir, "curl.exe"))),
            "curl not installed (these cases call the sidecar as a user's curl does; as root on Debian or Ubuntu, build/setup.sh installs it)");
        var ca = Path.Combine(Path.GetTempPath(), $"mirrord-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(ca, Authority.Pem);
        _files.Add(ca);
        var port = Sidecar.InboundPortFor(Port).ToString(CultureInfo.InvariantCulture);
        string[] args = ["-sS", "--max-time", "20", protocol, "--cacert", ca, "--resolve", $"{ServiceName}:{port}:127.0.0.1", "-D", "-", .. extra, $"https://{ServiceName}:{port}{path}"];
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("curl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var body = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await body, await error);
    }

    public async ValueTask DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await Pod.DisposeAsync();
        await Laptop.DisposeAsync();
        Secret.Dispose();
        ClientSecret?.Dispose();
        ClientAuthorities?.Dispose();
        Authority.Dispose();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }
}
