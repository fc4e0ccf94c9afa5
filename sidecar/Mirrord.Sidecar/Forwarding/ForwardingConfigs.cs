using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// The outbound HTTP version follows the inbound one: HTTP/2 in, HTTP/2 with prior knowledge out
/// (gRPC, h2c); HTTP/1.1 in, HTTP/1.1 out (WebSocket upgrades to an HTTP/1.1 app). YARP's
/// default, 2.0 "or lower" over http://, would silently downgrade gRPC.
/// </summary>
internal sealed class ForwardingConfigs
{
    private readonly ForwarderRequestConfig _appHttp2;
    private readonly ForwarderRequestConfig _appHttp11;

    /// <param name="passThroughIdleTimeout">
    /// The platform team's idle limit on requests passed to the app, or null for none. YARP's own default
    /// (100 s, which it also applies to upgraded WebSockets) would cut idle exchanges that live when the
    /// caller talks to the app directly.
    /// </param>
    public ForwardingConfigs(TimeSpan? passThroughIdleTimeout)
    {
        var idle = passThroughIdleTimeout ?? Timeout.InfiniteTimeSpan;
        _appHttp2 = new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = idle };
        _appHttp11 = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower, ActivityTimeout = idle };
    }

    public ForwarderRequestConfig ForApp(HttpRequest request) => HttpProtocol.IsHttp2(request.Protocol) ? _appHttp2 : _appHttp11;

    /// <summary>The tunnel is always HTTP/2; stolen requests may sit at a breakpoint, so no activity timeout.</summary>
    public static ForwarderRequestConfig Tunnel { get; } = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };
}
