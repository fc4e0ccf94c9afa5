using Microsoft.AspNetCore.Connections.Features;

namespace Mirrord.Sidecar.Listeners;

/// <summary>What the listener learned about a connection, kept in its items for the request router.</summary>
internal static class InboundConnection
{
    private const string ContainerPortKey = "mirrord.container-port";
    private const string TlsKey = "mirrord.tls";

    public static void SetContainerPort(IDictionary<object, object?> items, int port) => items[ContainerPortKey] = port;

    /// <summary>
    /// Marks a connection whose TLS the sidecar terminated: its requests reach the app over TLS again. <paramref name="serverName"/>
    /// is the name the caller asked for (SNI), empty when it sent none.
    /// </summary>
    public static void SetTls(IDictionary<object, object?> items, string serverName) => items[TlsKey] = serverName;

    public static bool IsTls(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(TlsKey) == true;

    /// <summary>The SNI of a connection whose TLS the sidecar terminated, or null (no TLS, or no SNI).</summary>
    public static string? TlsServerName(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(TlsKey, out var name) == true && name is string { Length: > 0 } text ? text : null;

    /// <summary>The container port the request was sent to, or null for requests that did not come through an inbound listener.</summary>
    public static int? ContainerPortOf(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ContainerPortKey, out var port) == true ? (int?)port : null;
}
