using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.RawTcp;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// Runs first on every inbound connection, in the same process and on the same socket as the HTTP
/// pipeline (no extra hop): learns the container port, hands whole-port steals to the tunnel,
/// and otherwise sniffs the first bytes: HTTP/2 preface → Kestrel's HTTP/2, HTTP/1 request line →
/// Kestrel's HTTP/1, anything else → a raw relay to the container.
/// </summary>
internal sealed partial class InboundConnectionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly int? _fixedContainerPort;
    private readonly int _inboundPort;
    private readonly SessionRegistry _sessions;
    private readonly TcpRelay _relay;
    private readonly SidecarMetrics _metrics;
    private readonly TimeSpan _detectionTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public InboundConnectionMiddleware(ConnectionDelegate next, int? fixedContainerPort, IServiceProvider services)
    {
        _next = next;
        _fixedContainerPort = fixedContainerPort;
        var options = services.GetRequiredService<IOptions<SidecarOptions>>().Value;
        _inboundPort = options.InboundPort;
        _detectionTimeout = options.ProtocolDetectionTimeout;
        _sessions = services.GetRequiredService<SessionRegistry>();
        _relay = services.GetRequiredService<TcpRelay>();
        _metrics = services.GetRequiredService<SidecarMetrics>();
        _time = services.GetRequiredService<TimeProvider>();
        _logger = services.GetRequiredService<ILogger<InboundConnectionMiddleware>>();
    }

    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var port = _fixedContainerPort ?? OriginalDestination.TryGetPort(connection);
        if (port is null || port == _inboundPort)
        {
            // Sent straight to the inbound port rather than redirected: there is no container port to serve.
            Log.UnknownOriginalPort(_logger, connection.RemoteEndPoint?.ToString());
            return;
        }

        InboundConnection.SetContainerPort(connection.Items, port.Value);
        if (_sessions.WholePortStealer(port.Value) is { } session)
        {
            _metrics.RawConnection(stolen: true);
            await TcpSteal.StealAsync(session, connection, port.Value);
            return;
        }

        InboundProtocol protocol;
        try
        {
            protocol = await ProtocolSniffer.DetectAsync(connection.Transport.Input, _detectionTimeout, _time, connection.ConnectionClosed);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // A caller that connects and goes (a load balancer's TCP check, a port scan): routine.
            _metrics.CallerHungUp();
            Log.CallerHungUp(_logger, port.Value, "before sending anything the sidecar could recognise");
            return;
        }

        switch (protocol)
        {
            case InboundProtocol.Http2:
                connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledgeHttp2Feature.Instance);
                connection.Features.Set<ITlsConnectionFeature>(new TlsConnectionFeature());
                await _next(connection);
                break;
            case InboundProtocol.Http1:
                await _next(connection);
                break;
            default:
                _metrics.RawConnection(stolen: false);
                Log.ConnectionRelayedRaw(_logger, port.Value);
                await _relay.RelayToAppAsync(connection, port.Value);
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.UnknownOriginalPort, EventName = "UnknownOriginalPort", Level = LogLevel.Warning,
            Message = "Closed a connection from {Remote}: it was not redirected, so its container port is unknown")]
        public static partial void UnknownOriginalPort(ILogger logger, string? remote);

        [LoggerMessage(EventId = SidecarEventIds.CallerHungUp, EventName = "CallerHungUp", Level = LogLevel.Debug,
            Message = "A caller of port {Port} hung up {When}")]
        public static partial void CallerHungUp(ILogger logger, int port, string when);

        [LoggerMessage(EventId = SidecarEventIds.ConnectionRelayedRaw, EventName = "ConnectionRelayedRaw", Level = LogLevel.Debug,
            Message = "A connection to port {Port} is not HTTP; relaying it raw to the container")]
        public static partial void ConnectionRelayedRaw(ILogger logger, int port);
    }
}
