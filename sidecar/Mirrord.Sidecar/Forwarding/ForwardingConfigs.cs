using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// The outbound HTTP version follows the inbound one: HTTP/2 in, HTTP/2 with prior knowledge out
/// (gRPC, h2c); HTTP/1.1 in, HTTP/1.1 out (WebSocket upgrades to an HTTP/1.1 app). YARP's
/// default, 2.0 "or lower" over http://, would silently downgrade gRPC.
/// </summary>
internal static class ForwardingConfigs
{
    public static ForwarderRequestConfig ForApp(HttpRequest request, TimeSpan activityTimeout) => HttpProtocol.IsHttp2(request.Protocol)
        ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = activityTimeout }
        : new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower, ActivityTimeout = activityTimeout };

    /// <summary>The tunnel is always HTTP/2; stolen requests may sit at a breakpoint, so no activity timeout.</summary>
    public static ForwarderRequestConfig Tunnel { get; } = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };
}
