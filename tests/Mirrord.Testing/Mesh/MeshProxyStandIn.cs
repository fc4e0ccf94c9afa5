using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Mirrord.Sidecar.Listeners;

namespace Mirrord.Testing.Mesh;

/// <summary>
/// A STAND-IN for a service mesh's sidecar proxy, for the pod built on this machine (there is no mesh
/// here). It does what the real proxy does to inbound traffic, as read from the meshes' sources, and
/// nothing more: it runs as the proxy's uid, accepts the connections the mesh's iptables rules
/// redirect to its inbound port, takes the original destination from the socket (SO_ORIGINAL_DST),
/// terminates TLS (real proxies require the caller's mesh certificate; this one does not ask for
/// one), and connects to the original destination, from 127.0.0.6 for Istio (Envoy's inbound
/// passthrough bind; pilot/pkg/networking/core/cluster_builder.go) or from the pod IP for Linkerd
/// (linkerd2-proxy forwards to the original destination; linkerd2-proxy#1219). Unlike Envoy it relays
/// the decrypted bytes instead of re-originating HTTP, which is what the app, and the sidecar in
/// front of it, see either way. For Istio it also answers pilot-agent's rewritten probes on 15020
/// (pilot/cmd/pilot-agent/status/server.go: the app is probed at the pod IP from 127.0.0.6, with
/// kubelet's headers) and Envoy's readiness on 15021; for Linkerd, the admin server's /ready on 4191.
/// </summary>
public sealed class MeshProxyStandIn : IAsyncDisposable
{
    private readonly MeshProxyOptions _options;
    private readonly X509Certificate2 _certificate;
    private readonly Socket _listener;
    private readonly Socket _outboundListener;
    private readonly WebApplication _admin;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly Task _acceptingOutbound;
    private int _outboundConnections;
    private int _tlsConnections;
    private int _plaintextConnections;
    private int _refused;

    private MeshProxyStandIn(MeshProxyOptions options, X509Certificate2 certificate, Socket listener, Socket outboundListener, WebApplication admin)
    {
        _options = options;
        _certificate = certificate;
        _listener = listener;
        _outboundListener = outboundListener;
        _admin = admin;
        _accepting = AcceptAsync(_listener, ServeAsync);
        _acceptingOutbound = AcceptAsync(_outboundListener, ServeOutboundAsync);
    }

    /// <summary>Connections the pod's containers made that the mesh's outbound capture brought to the proxy.</summary>
    public int OutboundConnections => Volatile.Read(ref _outboundConnections);

    /// <summary>Callers that spoke TLS, callers that spoke plaintext and were passed on, callers refused.</summary>
    public (int Tls, int Plaintext, int Refused) Counts => (Volatile.Read(ref _tlsConnections), Volatile.Read(ref _plaintextConnections), Volatile.Read(ref _refused));

    public static async Task<MeshProxyStandIn> StartAsync(MeshProxyOptions options)
    {
        var certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);

        // SslStream needs the key in a form it can use on Linux: export and re-import.
        certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Any, options.InboundPort));
        listener.Listen(512);
        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        outbound.Bind(new IPEndPoint(IPAddress.Any, options.OutboundPort));
        outbound.Listen(512);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in options.IsIstio ? new[] { 15020, 15021 } : [4191])
            {
                kestrel.ListenAnyIP(port, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        var admin = builder.Build();
        var standIn = new MeshProxyStandIn(options, certificate, listener, outbound, admin);

        // Not a real proxy's endpoint: how a test reads what the stand-in's outbound side carried (Envoy would count it in /stats).
        admin.MapGet("/stand-in/outbound", () => standIn.OutboundConnections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        admin.MapGet("/healthz/ready", () => "envoy ready\n");
        admin.MapGet("/ready", () => "ready\n");
        admin.MapGet("/live", () => "live\n");
        admin.MapGet("/app-health/{container}/{kind}", standIn.ProbeAppAsync);
        await admin.StartAsync();
        return standIn;
    }

    private async Task AcceptAsync(Socket listener, Func<Socket, Task> serve)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket caller;
            try
            {
                caller = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => serve(caller));
        }
    }

    /// <summary>
    /// A connection the pod made, captured by the mesh's OUTPUT rules: to its original destination, from the proxy's uid
    /// (which those rules let out). A destination outside the mesh is passed through as it is, as Envoy's
    /// PassthroughCluster and linkerd2-proxy's opaque forwarding do; a real proxy would originate mTLS to a meshed one.
    /// </summary>
    private async Task ServeOutboundAsync(Socket caller)
    {
        using var _ = caller;
        var destination = OriginalDestination.TryGet(caller);
        if (destination is null || destination.Port == _options.OutboundPort)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        try
        {
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await upstream.ConnectAsync(destination, _stopping.Token);
            Interlocked.Increment(ref _outboundConnections);
            await using var local = new NetworkStream(caller, ownsSocket: false);
            await using var remote = new NetworkStream(upstream, ownsSocket: false);
            await Task.WhenAll(CopyAsync(local, remote, upstream), CopyAsync(remote, local, caller));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // A destination that refuses, or a caller that hangs up: the caller's connection is reset, as Envoy does.
        }
    }

    private async Task ServeAsync(Socket caller)
    {
        using var _ = caller;
        var destination = OriginalDestination.TryGet(caller);
        if (destination is null || destination.Port == _options.InboundPort)
        {
            // Without an original destination there is nowhere to go; to itself would loop.
            Interlocked.Increment(ref _refused);
            return;
        }

        try
        {
            Stream inbound = new NetworkStream(caller, ownsSocket: false);
            if (await StartsWithTlsAsync(caller))
            {
                var tls = new SslStream(inbound);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ApplicationProtocols = [_options.Http2Ports.Contains(destination.Port) ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
                }, _stopping.Token);
                inbound = tls;
                Interlocked.Increment(ref _tlsConnections);
            }
            else if (_options.Strict)
            {
                Interlocked.Increment(ref _refused);
                return;
            }
            else
            {
                Interlocked.Increment(ref _plaintextConnections);
            }

            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (_options.SourceAddress is { } source)
            {
                upstream.Bind(new IPEndPoint(source, 0));
            }

            await upstream.ConnectAsync(destination, _stopping.Token);
            await using var app = new NetworkStream(upstream, ownsSocket: false);
            await Task.WhenAll(CopyAsync(inbound, app, upstream), CopyAsync(app, inbound, caller));
            await inbound.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // A caller that hangs up, or an app that is not there: the proxy resets the caller, as Envoy does.
        }
    }

    private static async Task<bool> StartsWithTlsAsync(Socket caller)
    {
        // Envoy's tls_inspector waits for the first bytes; a TLS record starts with 0x16 (handshake).
        var first = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var read = await caller.ReceiveAsync(first, SocketFlags.Peek, timeout.Token);
            return read == 1 && first[0] == 0x16;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, Socket toShutDown)
    {
        try
        {
            await from.CopyToAsync(to);
            toShutDown.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<IResult> ProbeAppAsync(HttpContext context, string container, string kind)
    {
        var path = $"/app-health/{container}/{kind}";
        if (_options.AppProbers is not { } probers
            || JsonDocument.Parse(probers).RootElement is not { ValueKind: JsonValueKind.Object } map
            || !map.TryGetProperty(path, out var prober)
            || !prober.TryGetProperty("httpGet", out var httpGet))
        {
            return Results.NotFound();
        }

        var port = httpGet.GetProperty("port").GetInt32();
        var appPath = httpGet.TryGetProperty("path", out var p) ? p.GetString() ?? "/" : "/";
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (connect, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(_options.SourceAddress ?? IPAddress.Any, 0));
                await socket.ConnectAsync(new IPEndPoint(_options.PodAddress, port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{_options.PodAddress}:{port}{(appPath.StartsWith('/') ? appPath : "/" + appPath)}");
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name is not ("Host" or "Connection"))
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        try
        {
            using var response = await client.SendAsync(request);
            return Results.StatusCode((int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        _outboundListener.Dispose();
        await _accepting;
        await _acceptingOutbound;
        await _admin.DisposeAsync();
        _certificate.Dispose();
        _stopping.Dispose();
    }
}
