using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>The one long-lived client to the real container, and the destination prefix per container port.</summary>
internal sealed class AppInvoker : IDisposable
{
    private readonly ConcurrentDictionary<int, string> _prefixes = new();
    private readonly string _address;

    public AppInvoker(IOptions<SidecarOptions> options)
    {
        _address = options.Value.AppAddress;
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            // The sidecar must be invisible: trace headers reach the app exactly as the client sent them.
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public string PrefixFor(int port)
        => _prefixes.GetOrAdd(port, static (p, address) => $"http://{address}:{p.ToString(CultureInfo.InvariantCulture)}/", _address);

    public void Dispose() => Invoker.Dispose();
}
