using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.RawTcp;
using Mirrord.Sidecar.Sessions;
using Mirrord.Sidecar.Tls;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// Runs first on every inbound connection, in the same process and on the same socket as the HTTP
/// pipeline (no extra hop): learns the container port, hands whole-port steals to the tunnel,
/// and otherwise sniffs the first bytes: HTTP/2 preface → Kestrel's HTTP/2, HTTP/1 request line →
/// Kestrel's HTTP/1, a TLS ClientHello on a port with HTTPS stealing → terminated with the app's
/// certificate and sniffed again, anything else → a raw relay to the container.
/// </summary>
internal sealed partial class InboundConnectionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly int? _fixedContainerPort;
    private readonly int _inboundPort;
    private readonly SessionRegistry _sessions;
    private readonly Routing.ProbeGuard _probes;
    private readonly TcpRelay _relay;
    private readonly SidecarMetrics _metrics;
    private readonly TimeSpan _detectionTimeout;
    private readonly TimeProvider _time;
    private readonly AppCertificates _certificates;
    private readonly AppTlsProbe _tlsProbe;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly ILogger _logger;

    public InboundConnectionMiddleware(ConnectionDelegate next, int? fixedContainerPort, IServiceProvider services)
    {
        _next = next;
        _fixedContainerPort = fixedContainerPort;
        var options = services.GetRequiredService<IOptions<SidecarOptions>>().Value;
        _inboundPort = options.InboundPort;
        _detectionTimeout = options.ProtocolDetectionTimeout;
        _sessions = services.GetRequiredService<SessionRegistry>();
        _probes = services.GetRequiredService<Routing.ProbeGuard>();
        _relay = services.GetRequiredService<TcpRelay>();
        _metrics = services.GetRequiredService<SidecarMetrics>();
        _time = services.GetRequiredService<TimeProvider>();
        _certificates = services.GetRequiredService<AppCertificates>();
        _tlsProbe = services.GetRequiredService<AppTlsProbe>();
        _handshakeTimeout = options.Tls.HandshakeTimeout;
        _keepAliveTimeout = options.Limits.KeepAliveTimeout;
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

        // A port the pod's probes call is read as HTTP first even when a session takes it whole, so the
        // probes can be passed to the app (Routing/ProbeGuard); what is not HTTP is still stolen whole.
        if (_sessions.WholePortStealer(port.Value) is { } session && !_probes.Covers(port.Value))
        {
            _metrics.RawConnection(stolen: true);
            await TcpSteal.StealAsync(session, connection, port.Value);
            return;
        }

        var protocol = await SniffAsync(connection, port.Value, _detectionTimeout);
        if (protocol is null)
        {
            return;
        }

        if (_certificates.Covers(port.Value))
        {
            // The app serves TLS here: what is not TLS goes to it as bytes, as if the sidecar were not there, and
            // the app refuses it as it always has. Read as HTTP, a plaintext request would slip past the app's TLS.
            await (protocol == InboundProtocol.Tls ? TerminateTlsAsync(connection, port.Value) : ServeAsync(connection, port.Value, InboundProtocol.Raw));
            return;
        }

        await ServeAsync(connection, port.Value, protocol.Value);
    }

    /// <summary>What the connection speaks, or null when the caller left before saying.</summary>
    private async Task<InboundProtocol?> SniffAsync(ConnectionContext connection, int port, TimeSpan silenceTimeout)
    {
        try
        {
            return await ProtocolSniffer.DetectAsync(connection.Transport.Input, silenceTimeout, _time, connection.ConnectionClosed);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // A caller that connects and goes (a load balancer's TCP check, a port scan): routine.
            _metrics.CallerHungUp();
            Log.CallerHungUp(_logger, port, "before sending anything the sidecar could recognise");
            return null;
        }
    }

    private async Task ServeAsync(ConnectionContext connection, int port, InboundProtocol protocol)
    {
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
                // TLS the sidecar does not read may carry an HTTPS probe: it stays with the app.
                if (_sessions.WholePortStealer(port) is { } stealer && !(protocol == InboundProtocol.Tls && _probes.HasHttpsProbe(port)))
                {
                    _metrics.RawConnection(stolen: true);
                    await TcpSteal.StealAsync(stealer, connection, port);
                    break;
                }

                _metrics.RawConnection(stolen: false);
                Log.ConnectionRelayedRaw(_logger, port);
                await _relay.RelayToAppAsync(connection, port);
                break;
        }
    }

    /// <summary>
    /// Terminates the caller's TLS when the app's certificate is at hand and the app lets the sidecar
    /// stand in for its callers; otherwise relays the TLS bytes to the app untouched, as on any port.
    /// </summary>
    private async Task TerminateTlsAsync(ConnectionContext connection, int port)
    {
        var certificate = _certificates.Current(out _);
        var profile = certificate is null ? null : await _tlsProbe.ProfileAsync(port, certificate, connection.ConnectionClosed);
        if (certificate is null || profile is not { Filtered: true })
        {
            await ServeAsync(connection, port, InboundProtocol.Tls);
            return;
        }

        TlsTermination.TerminatedConnection terminated;
        using (var handshake = new CancellationTokenSource(_handshakeTimeout, _time))
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(handshake.Token, connection.ConnectionClosed))
        {
            try
            {
                terminated = await TlsTermination.TerminateAsync(connection, certificate, profile, _certificates.ClientAuthorities, _time, either.Token);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
            {
                // A caller that does not trust the certificate, speaks no common TLS version or goes away: its
                // own affair, as it would be with the app, so not an error of the sidecar's.
                _metrics.CallerHungUp();
                Log.TlsHandshakeFailed(_logger, port, ex.Message);
                return;
            }
        }

        await using (terminated)
        {
            InboundConnection.SetTls(connection.Items, terminated.ServerName);
            if (terminated.Http2)
            {
                await _next(connection);
                return;
            }

            // Inside TLS the caller has already spoken (its handshake): it may wait before its first request, as
            // certificate checkers and pooled clients do, and the app would give it its keep-alive time.
            var inner = await SniffAsync(connection, port, _keepAliveTimeout);
            switch (inner)
            {
                case null:
                    return;
                case InboundProtocol.Http1 or InboundProtocol.Http2:
                    await ServeAsync(connection, port, inner.Value);
                    return;
                case InboundProtocol.Silent:
                    Log.TlsCallerIdle(_logger, port, _keepAliveTimeout.TotalSeconds);
                    return;
                default:
                    // Decrypted, the bytes are no HTTP the filters could apply to, and the app expects them encrypted.
                    Log.TlsNotHttp(_logger, port);
                    return;
            }
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

        [LoggerMessage(EventId = SidecarEventIds.TlsHandshakeFailed, EventName = "TlsHandshakeFailed", Level = LogLevel.Debug,
            Message = "A caller of port {Port} did not complete its TLS handshake: {Reason}")]
        public static partial void TlsHandshakeFailed(ILogger logger, int port, string reason);

        [LoggerMessage(EventId = SidecarEventIds.TlsCallerIdle, EventName = "TlsCallerIdle", Level = LogLevel.Debug,
            Message = "Closed a TLS connection to port {Port}: its caller sent nothing after the handshake for {Seconds} s (Sidecar:Limits:KeepAliveTimeout), as the app would")]
        public static partial void TlsCallerIdle(ILogger logger, int port, double seconds);

        [LoggerMessage(EventId = SidecarEventIds.TlsNotHttp, EventName = "TlsNotHttp", Level = LogLevel.Warning,
            Message = "Closed a TLS connection to port {Port}: it carries no HTTP inside; take the port out of mirrord.dev/tls-ports")]
        public static partial void TlsNotHttp(ILogger logger, int port);
    }
}
