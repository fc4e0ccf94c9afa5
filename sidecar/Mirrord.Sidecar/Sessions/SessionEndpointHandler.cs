using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Guardrails;
using Mirrord.Incoming.Policy;
using Mirrord.Sidecar.Audit;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// Serves 127.0.0.1:15081 (docs/PROTOCOL.md): the first frame makes a connection a session's
/// control connection, a tunnel connection, an outgoing connection from the pod, or a one-shot list or kill.
/// </summary>
internal sealed partial class SessionEndpointHandler : ConnectionHandler
{
    private static readonly TimeSpan s_firstFrameTimeout = TimeSpan.FromSeconds(10);

    private readonly SessionRegistry _registry;
    private readonly SidecarOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly SessionPolicy _policy;
    private readonly AuditTrail _audit;
    private readonly SidecarMetrics _metrics;
    private readonly Tls.AppTlsProbe _tls;
    private readonly Routing.ProbeGuard _probes;
    private readonly Outgoing.OutgoingConnections _outgoing;
    private readonly ILogger<SessionEndpointHandler> _logger;

    public SessionEndpointHandler(
        SessionRegistry registry, IOptions<SidecarOptions> options, IHostApplicationLifetime lifetime, TimeProvider time, AuditTrail audit, SidecarMetrics metrics,
        Tls.AppTlsProbe tls, Routing.ProbeGuard probes, Outgoing.OutgoingConnections outgoing, ILogger<SessionEndpointHandler> logger)
    {
        _registry = registry;
        _options = options.Value;
        _policy = _options.SessionPolicy();
        _lifetime = lifetime;
        _time = time;
        _audit = audit;
        _metrics = metrics;
        _tls = tls;
        _probes = probes;
        _outgoing = outgoing;
        _logger = logger;
    }

    private string Pod => _options.PodName.Length > 0 ? $"{_options.PodNamespace}/{_options.PodName}" : "(no pod name)";

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        await using var stream = new DuplexPipeStream(connection.Transport);
        SessionMessage? first;
        try
        {
            using var silence = new CancellationTokenSource(s_firstFrameTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, silence.Token);
            first = await SessionFrames.ReadAsync(stream, timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidDataException or OperationCanceledException or IOException)
        {
            Log.BadFrame(_logger, connection.RemoteEndPoint?.ToString(), ex.Message);
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.BadFrame, ex.Message));
            return;
        }

        switch (first)
        {
            case RegisterMessage register:
                await RunControlAsync(stream, register, connection.ConnectionClosed);
                break;
            case AttachMessage attach:
                await AttachAsync(stream, attach);
                break;
            case ListMessage:
                await TrySendAsync(stream, new SessionsMessage([.. _registry.Sessions.Select(s => s.Summary())]));
                break;
            case KillMessage kill:
                await KillAsync(stream, kill);
                break;
            case OutgoingMessage outgoing:
                if (_registry.Find(outgoing.SessionId) is { } owner && owner.VerifySecret(outgoing.Secret))
                {
                    await _outgoing.RelayAsync(stream, owner, outgoing);
                }
                else
                {
                    await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.UnknownSession, $"no session {outgoing.SessionId} with that secret on this pod"));
                }

                break;
            case null:
                break;
            default:
                await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.BadFrame, $"a connection cannot start with {first.GetType().Name}"));
                break;
        }
    }

    private async Task RunControlAsync(DuplexPipeStream stream, RegisterMessage register, CancellationToken closed)
    {
        if (register.ProtocolVersion != SessionProtocol.Version)
        {
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.Version,
                $"this sidecar speaks session protocol {SessionProtocol.Version}, the CLI speaks {register.ProtocolVersion}: use a mirrord-cli of the sidecar's version ({SidecarVersion.Current})"));
            return;
        }

        var parsed = IncomingConfigParser.ParseIncoming(register.Incoming.GetRawText());
        if (parsed.Config is not { } config)
        {
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.InvalidConfig, string.Join("; ", parsed.Errors)));
            return;
        }

        var incoming = register.Incoming;
        string? notice = null;
        if (config.HttpFilter is null && config.Mode != IncomingMode.Off && _options.DefaultIncomingConfig()?.HttpFilter is { } podFilter)
        {
            config = config with { HttpFilter = podFilter };
            using var effective = JsonDocument.Parse(IncomingConfigWriter.WriteIncoming(config));
            incoming = effective.RootElement.Clone();
            notice = $"the pod's default filter (mirrord.dev/config) applies: {podFilter.Rule.Describe()} on ports {string.Join(", ", podFilter.Ports)}";
        }

        if (config.Mode != IncomingMode.Off && config.HttpFilter is { } filter && await _tls.UnfilteredNoticeAsync(filter.Ports, closed) is { } tlsNotice)
        {
            notice = notice is null ? tlsNotice : $"{notice}; {tlsNotice}";
        }

        var kind = SessionKinds.Name(SessionKinds.Of(config, _registry.ServedPorts, _policy.ProtectedPorts));
        if (_policy.Check(config, _registry.ServedPorts, _registry.Sessions.Length) is { } refusal)
        {
            await RefuseAsync(stream, register, config, kind, refusal.Rule, refusal.Message);
            return;
        }

        config = _policy.Apply(config);
        using var control = new ControlChannel(stream, _options.SessionTimeout, _time);
        var session = new Session(register.Name, IncomingTrafficPolicy.Compile(config, logger: _logger), incoming, _options, control.RequestTunnelAsync, _time, register.Owner, register.Key);
        control.RoundTripMeasured = rtt => session.RoundTrip = rtt;
        session.Notify = notice => _ = control.SendAsync(new NoticeMessage(notice)).ContinueWith(static sent => _ = sent.Exception, TaskScheduler.Default);
        control.Claim = session.TryClaim;
        if (_registry.TryAdd(session, _policy.MaxSessionsPerPod, out var full) is { } conflict)
        {
            await session.DisposeAsync();
            if (full)
            {
                await RefuseAsync(stream, register, config, kind, PolicyRules.MaxSessions, conflict);
                return;
            }

            Log.SessionRefused(_logger, register.Name, conflict);
            _metrics.Session("refused");
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.Conflict, conflict));
            return;
        }

        Log.SessionStarted(_logger, session.Name, session.Id, session.DescribePolicy());
        _metrics.Session("started");
        _audit.Started(Pod, session.Id, session.Name, session.Owner, config, kind);
        var reason = "the control connection closed";
        var outcome = "unregistered";
        try
        {
            void TellIfCovered(int port, string notice)
            {
                if (config.HttpFilter?.Ports.Contains(port) == true)
                {
                    _ = control.SendAsync(new NoticeMessage(notice)).ContinueWith(static sent => _ = sent.Exception, TaskScheduler.Default);
                }
            }

            _tls.FilteringResumed += TellIfCovered;
            using var unsubscribe = new CallbackDisposable(() => _tls.FilteringResumed -= TellIfCovered);
            await control.SendAsync(new RegisteredMessage(
                session.Id, session.Secret, SidecarVersion.Current, _registry.ServedPorts, notice, [.. _registry.ServedPorts.Select(port => PortState(config, port))]));
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(closed, session.EndRequested);
            using var stopping = _lifetime.ApplicationStopping.Register(() => _ = EndWhenDrainedAsync(session, ended));
            using var lifetime = _policy.MaxSessionLifetime is { } limit
                ? _time.CreateTimer(_ => session.RequestEnd(SessionErrorCodes.Policy,
                    $"the session reached the pod's maximum session lifetime ({SessionKinds.Duration(limit)}, policy rule {PolicyRules.MaxLifetime})"), null, limit, Timeout.InfiniteTimeSpan)
                : null;
            reason = await control.ServeAsync(ended.Token);
            if (session.EndRequest is { } request)
            {
                (reason, outcome) = (request.Reason, request.Code == SessionErrorCodes.Policy ? "policy" : "killed");
                if (request.Code == SessionErrorCodes.Policy)
                {
                    _metrics.PolicyRefusal(PolicyRules.MaxLifetime);
                }

                await control.SendAsync(new ErrorMessage(request.Code, request.Reason));
            }
            else if (ended.IsCancellationRequested && !closed.IsCancellationRequested)
            {
                (reason, outcome) = ("the sidecar is shutting down (the pod is stopping)", "shutdown");
                await control.SendAsync(new ErrorMessage(SessionErrorCodes.ShuttingDown, reason));
            }
            else if (reason != "the CLI ended it")
            {
                outcome = "lost";
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException)
        {
            (reason, outcome) = ($"the control connection failed: {ex.Message}", "lost");
        }
        finally
        {
            _registry.Remove(session);
            await session.DisposeAsync();
            Log.SessionEnded(_logger, session.Name, session.Id, reason, session.Stolen, session.Mirrored);
            _metrics.Session($"ended-{outcome}");
            _audit.Ended(Pod, session.Id, session.Name, session.Owner, config, kind, outcome, reason, session.Stolen, session.Mirrored);
        }
    }

    /// <summary>What the session does with a port, and the pod's probes there that it will not get.</summary>
    private string PortState(IncomingConfig config, int port)
    {
        var line = PortClaims.Describe(config, port);
        var probes = _probes.On(port).ToList();
        return probes.Count == 0 || PortClaims.For(config, port).Kind == PortClaimKind.None
            ? line
            : $"{line}; the pod's probes ({string.Join("; ", probes.Select(probe => probe.Describe()))}) still reach the app";
    }

    private async Task RefuseAsync(DuplexPipeStream stream, RegisterMessage register, IncomingConfig config, string kind, string rule, string message)
    {
        var text = $"the pod's session policy does not allow this session ({rule}): {message}";
        Log.SessionRefused(_logger, register.Name, text);
        _metrics.Session("refused");
        _metrics.PolicyRefusal(rule);
        _audit.Refused(Pod, register.Name, register.Owner, config, kind, rule, message);
        await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.Policy, text));
    }

    /// <summary>
    /// On the session port a session can only be ended with its own secret: whoever can port-forward may see
    /// sessions, but ending another developer's is for the administration socket (pods/exec), which Kubernetes
    /// reserves for operators and audits itself.
    /// </summary>
    private async Task KillAsync(DuplexPipeStream stream, KillMessage kill)
    {
        if (kill.SessionId is null || _registry.Find(kill.SessionId) is not { } session || kill.Secret is null || !session.VerifySecret(kill.Secret))
        {
            Log.KillRefused(_logger, kill.SessionId ?? "(all)", kill.By.ToString());
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.Forbidden,
                $"ending {(kill.SessionId is null ? "every session" : $"session {kill.SessionId}")} on pod {Pod} needs the session's own secret, or pods/exec on the pod's mirrord-sidecar " +
                "container: mirrord-cli sessions kill runs the sidecar's own command there"));
            return;
        }

        var ended = _registry.Kill(session.Id, kill.By.ToString()) ?? [];
        Log.SessionsKilled(_logger, ended.Count, kill.By.ToString());
        await TrySendAsync(stream, new KilledMessage(ended));
    }

    /// <summary>
    /// On shutdown a session lives until its stolen requests have finished (Kestrel drains the
    /// callers' side meanwhile); then its CLI is told, so the host need not wait out the drain timeout.
    /// </summary>
    private static async Task EndWhenDrainedAsync(Session session, CancellationTokenSource ended)
    {
        while (session.StolenInFlight > 0 && !ended.IsCancellationRequested)
        {
            await Task.Delay(50);
        }

        try
        {
            await ended.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The session ended on its own meanwhile.
        }
    }

    private async Task AttachAsync(DuplexPipeStream stream, AttachMessage attach)
    {
        var session = _registry.Find(attach.SessionId);
        if (session is null || !session.VerifySecret(attach.Secret))
        {
            await TrySendAsync(stream, new ErrorMessage(SessionErrorCodes.UnknownSession, $"no session {attach.SessionId} with that secret on this pod"));
            return;
        }

        await SessionFrames.WriteAsync(stream, new AttachedMessage());
        Log.TunnelAttached(_logger, session.Name, session.Id);
        await session.Tunnels.AdoptAsync(stream);
    }

    private static async Task TrySendAsync(Stream stream, SessionMessage message)
    {
        try
        {
            await SessionFrames.WriteAsync(stream, message);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone; nothing to tell it.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.SessionStarted, EventName = "SessionStarted", Level = LogLevel.Information,
            Message = "Session {Name} ({SessionId}) started: {Policy}")]
        public static partial void SessionStarted(ILogger logger, string name, string sessionId, string policy);

        [LoggerMessage(EventId = SidecarEventIds.SessionEnded, EventName = "SessionEnded", Level = LogLevel.Information,
            Message = "Session {Name} ({SessionId}) ended: {Reason}; {Stolen} requests stolen, {Mirrored} mirrored. Its traffic goes to the container again")]
        public static partial void SessionEnded(ILogger logger, string name, string sessionId, string reason, long stolen, long mirrored);

        [LoggerMessage(EventId = SidecarEventIds.SessionRefused, EventName = "SessionRefused", Level = LogLevel.Warning,
            Message = "Session {Name} refused: {Reason}")]
        public static partial void SessionRefused(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = SidecarEventIds.SessionsKilled, EventName = "SessionsKilled", Level = LogLevel.Information,
            Message = "An administrator ended {Count} session(s): {By}")]
        public static partial void SessionsKilled(ILogger logger, int count, string by);

        [LoggerMessage(EventId = SidecarEventIds.KillRefused, EventName = "KillRefused", Level = LogLevel.Warning,
            Message = "Refused to end session {SessionId} over the session port for {By}: that needs the session's secret or the administration socket")]
        public static partial void KillRefused(ILogger logger, string sessionId, string by);

        [LoggerMessage(EventId = SidecarEventIds.TunnelAttached, EventName = "TunnelAttached", Level = LogLevel.Debug,
            Message = "Session {Name} ({SessionId}) attached a tunnel connection")]
        public static partial void TunnelAttached(ILogger logger, string name, string sessionId);

        [LoggerMessage(EventId = SidecarEventIds.BadSessionFrame, EventName = "BadSessionFrame", Level = LogLevel.Warning,
            Message = "Closed a session endpoint connection from {Remote}: {Reason}")]
        public static partial void BadFrame(ILogger logger, string? remote, string reason);
    }

    private sealed class CallbackDisposable(Action callback) : IDisposable
    {
        public void Dispose() => callback();
    }
}
