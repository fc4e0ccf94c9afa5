using Mirrord.Tunnel.Settings;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Listeners;
using Mirrord.Sidecar.Tls;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// The long-lived clients to the real container, cleartext and TLS, and the destination prefix per
/// container port. A request whose TLS the sidecar terminated goes on to the app over a new TLS
/// connection that accepts only the app's certificate (<see cref="AppCertificate.IsTheApps"/>);
/// the caller's Host header is the SNI, and the sidecar's own client certificate is presented when
/// it has one.
/// </summary>
internal sealed class AppInvoker : IDisposable
{
    private readonly ConcurrentDictionary<int, string> _prefixes = new();
    private readonly ConcurrentDictionary<int, string> _tlsPrefixes = new();
    private readonly string _address;
    private readonly HttpMessageInvoker _tls;

    public AppInvoker(IOptions<SidecarOptions> options, AppCertificates certificates)
    {
        _address = options.Value.AppAddress;
        Invoker = new HttpMessageInvoker(NewHandler());
        var tlsHandler = NewHandler();
        tlsHandler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => certificates.Current(out _)?.IsTheApps(presented) == true,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => certificates.ClientCertificate!,
        };
        _tls = new HttpMessageInvoker(tlsHandler);
    }

    /// <summary>The cleartext client.</summary>
    public HttpMessageInvoker Invoker { get; }

    public string PrefixFor(int port)
        => _prefixes.GetOrAdd(port, static (p, address) => $"http://{address}:{p.ToString(CultureInfo.InvariantCulture)}/", _address);

    /// <summary>Where a request on <paramref name="port"/> goes: over TLS again when it arrived over TLS the sidecar terminated.</summary>
    public (string Prefix, HttpMessageInvoker Invoker) For(HttpContext context, int port)
        => InboundConnection.IsTls(context)
            ? (_tlsPrefixes.GetOrAdd(port, static (p, address) => $"https://{address}:{p.ToString(CultureInfo.InvariantCulture)}/", _address), _tls)
            : (PrefixFor(port), Invoker);

    public void Dispose()
    {
        Invoker.Dispose();
        _tls.Dispose();
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
