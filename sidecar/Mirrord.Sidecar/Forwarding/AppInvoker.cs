using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Listeners;
using Mirrord.Sidecar.Tls;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// The long-lived clients to the real container, cleartext and TLS, and the destination prefix per
/// container port. A request whose TLS the sidecar terminated goes on to the app over a new TLS
/// connection that accepts only the app's certificate (<see cref="AppCertificate.IsTheApps"/>) and
/// presents the sidecar's own client certificate only for a caller that presented one the sidecar verified
/// (a caller the app would let in without one reaches it without one); the caller's Host is the SNI, as
/// the app would expect of a caller that named it. SocketsHttpHandler keeps a connection pool per Host, and
/// callers choose the Host: the first <see cref="PooledHosts"/> Hosts get pooled connections, each in a
/// client of its own; any other Host gets a fresh connection per request (as many as its caller makes
/// requests, no more), so no caller can make the sidecar hold open connections to the app at will.
/// </summary>
internal sealed class AppInvoker : IDisposable
{
    /// <summary>Hosts whose TLS connections to the app are pooled; a pod's callers use a handful (its service names, its IP).</summary>
    internal const int PooledHosts = 16;

    private readonly ConcurrentDictionary<int, string> _prefixes = new();
    private readonly ConcurrentDictionary<int, string> _tlsPrefixes = new();
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _tlsByHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _anonymousTlsByHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpMessageInvoker _tlsUnpooled;
    private readonly HttpMessageInvoker _anonymousTlsUnpooled;
    private readonly string _address;
    private readonly AppCertificates _certificates;

    public AppInvoker(IOptions<SidecarOptions> options, AppCertificates certificates)
    {
        _address = options.Value.AppAddress;
        _certificates = certificates;
        Invoker = new HttpMessageInvoker(NewHandler());
        _tlsUnpooled = new HttpMessageInvoker(Unpooled(TlsHandler(presentClientCertificate: true)));
        _anonymousTlsUnpooled = new HttpMessageInvoker(Unpooled(TlsHandler(presentClientCertificate: false)));
    }

    /// <summary>The cleartext client.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>How many Hosts have pooled TLS clients now (at most <see cref="PooledHosts"/>).</summary>
    internal int PooledTlsClients => _tlsByHost.Count + _anonymousTlsByHost.Count;

    public string PrefixFor(int port)
        => _prefixes.GetOrAdd(port, static (p, address) => $"http://{address}:{p.ToString(CultureInfo.InvariantCulture)}/", _address);

    /// <summary>Where a request on <paramref name="port"/> goes: over TLS again when it arrived over TLS the sidecar terminated.</summary>
    public (string Prefix, HttpMessageInvoker Invoker) For(HttpContext context, int port)
        => InboundConnection.IsTls(context)
            ? (_tlsPrefixes.GetOrAdd(port, static (p, address) => $"https://{address}:{p.ToString(CultureInfo.InvariantCulture)}/", _address), TlsClientFor(context.Request.Host.Value ?? string.Empty, context.Connection.ClientCertificate is not null))
            : (PrefixFor(port), Invoker);

    private HttpMessageInvoker TlsClientFor(string host, bool callerPresentedCertificate)
    {
        var (clients, unpooled) = callerPresentedCertificate ? (_tlsByHost, _tlsUnpooled) : (_anonymousTlsByHost, _anonymousTlsUnpooled);
        if (clients.TryGetValue(host, out var pooled))
        {
            return pooled;
        }

        return PooledTlsClients >= PooledHosts
            ? unpooled
            : clients.GetOrAdd(host, static (_, state) => new HttpMessageInvoker(state.self.TlsHandler(state.callerPresentedCertificate)), (self: this, callerPresentedCertificate));
    }

    private SocketsHttpHandler TlsHandler(bool presentClientCertificate)
    {
        var handler = NewHandler();
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => _certificates.Current(out _)?.IsTheApps(presented) == true,
            LocalCertificateSelectionCallback = presentClientCertificate ? (_, _, _, _, _) => _certificates.ClientCertificate! : (_, _, _, _, _) => null!,
        };
        return handler;
    }

    private static SocketsHttpHandler Unpooled(SocketsHttpHandler handler)
    {
        handler.PooledConnectionLifetime = TimeSpan.Zero;
        handler.PooledConnectionIdleTimeout = TimeSpan.Zero;
        return handler;
    }

    public void Dispose()
    {
        Invoker.Dispose();
        _tlsUnpooled.Dispose();
        _anonymousTlsUnpooled.Dispose();
        foreach (var client in _tlsByHost.Values.Concat(_anonymousTlsByHost.Values))
        {
            client.Dispose();
        }
    }

    private static SocketsHttpHandler NewHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        // Every caller's streams share these connections, so the app's stream limit per connection (often 100)
        // is shared too: without more connections a long stream would queue other callers behind it. Opening them
        // as the limit is reached is also the fastest spread measured (docs/BENCHMARKS.md, section 2).
        EnableMultipleHttp2Connections = true,
        // The sidecar must be invisible: trace headers reach the app exactly as the client sent them.
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(15),

        // SocketsHttpHandler's 64 KiB would make the sidecar fail answers the app's callers receive without it.
        MaxResponseHeadersLength = HeaderLimits.ResponseHeaderKilobytes,
    };
}
