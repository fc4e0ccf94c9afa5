using System.Globalization;
using Mirrord.Sidecar.Listeners;
using Mirrord.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Copies a stolen request as it is (Host included, nothing added for the app's eyes) and adds the
/// tunnel headers the CLI needs to deliver it: container port, original protocol, mode, and the
/// number the CLI claims it by. (Mirrored copies are built by <see cref="MirrorCopy"/>, which sets
/// the same headers on its own request.)
/// </summary>
internal sealed class TunnelTransformer : HttpTransformer
{
    public static TunnelTransformer Steal { get; } = new();

    private TunnelTransformer()
    {
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;

        // The CLI believes these headers: a caller's own must not reach it (a forged port, protocol, request id, mode).
        RemoveTunnelHeaders(headers);
        if (proxyRequest.Content is { } content)
        {
            RemoveTunnelHeaders(content.Headers);
        }

        headers.TryAddWithoutValidation(TunnelHeaders.Port, (InboundConnection.ContainerPortOf(httpContext) ?? 0).ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation(TunnelHeaders.Protocol, HttpProtocol.IsHttp2(httpContext.Request.Protocol) ? TunnelHeaders.Http2 : TunnelHeaders.Http11);
        headers.TryAddWithoutValidation(TunnelHeaders.Mode, TunnelHeaders.Steal);
        if (InboundConnection.IsTls(httpContext))
        {
            headers.TryAddWithoutValidation(TunnelHeaders.Tls, "1");
            if (InboundConnection.TlsServerName(httpContext) is { } serverName)
            {
                headers.TryAddWithoutValidation(TunnelHeaders.TlsServerName, serverName);
            }
        }

        if (httpContext.Features.Get<Sessions.StealTicket>() is { } ticket)
        {
            headers.TryAddWithoutValidation(TunnelHeaders.RequestId, ticket.Id.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Removes every <c>mirrord-</c> header, as a caller may have sent them.</summary>
    internal static void RemoveTunnelHeaders(System.Net.Http.Headers.HttpHeaders headers)
    {
        List<string>? names = null;
        foreach (var header in headers.NonValidated)
        {
            if (TunnelHeaders.IsTunnelHeader(header.Key))
            {
                (names ??= []).Add(header.Key);
            }
        }

        foreach (var name in names ?? [])
        {
            headers.Remove(name);
        }
    }
}
