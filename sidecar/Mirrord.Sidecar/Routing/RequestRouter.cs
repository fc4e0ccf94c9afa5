using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Forwarding;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Listeners;
using Mirrord.Sidecar.Sessions;
using Mirrord.Sidecar.Tls;
using Mirrord.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// The terminal handler for redirected requests: asks the sessions, then steals (down the
/// session's tunnel), or passes to the container and sends copies to mirror sessions.
/// Decided per request, so one keep-alive connection may carry stolen and passed requests.
/// </summary>
internal sealed partial class RequestRouter
{
    private readonly IHttpForwarder _forwarder;
    private readonly SessionRegistry _sessions;
    private readonly ProbeGuard _probes;
    private readonly BufferBudget _budget;
    private readonly AppInvoker _app;
    private readonly MirrorSender _mirrors;
    private readonly SidecarMetrics _metrics;
    private readonly SidecarOptions _options;
    private readonly ForwardingConfigs _configs;
    private readonly ILogger<RequestRouter> _logger;

    public RequestRouter(
        IHttpForwarder forwarder,
        SessionRegistry sessions,
        ProbeGuard probes,
        BufferBudget budget,
        AppInvoker app,
        MirrorSender mirrors,
        SidecarMetrics metrics,
        IOptions<SidecarOptions> options,
        ILogger<RequestRouter> logger)
    {
        _forwarder = forwarder;
        _sessions = sessions;
        _probes = probes;
        _budget = budget;
        _app = app;
        _mirrors = mirrors;
        _metrics = metrics;
        _options = options.Value;
        _configs = new ForwardingConfigs(_options.Limits.PassThroughIdleTimeout);
        _logger = logger;
    }

    public async Task RouteAsync(HttpContext context, int port)
    {
        // Kestrel would only refuse this body once it is read, after the request had gone out to the app or a laptop.
        if (_options.Limits.MaxRequestBodySize is { } maxBody && context.Request.ContentLength > maxBody)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        // Before any filter: a developer may filter on the caller's identity, and laptops get what the app gets.
        if (_options.Tls.ForwardClientCertificate && InboundConnection.IsTls(context))
        {
            ForwardedClientCertificate.Apply(context);
        }

        // Before any filter too: the baggage a share link's cookie becomes is what sessions filter on.
        if (await ShareLinks.ApplyAsync(context, _sessions))
        {
            return;
        }

        var sessions = _sessions.Sessions;
        if (sessions.Length == 0)
        {
            await PassAsync(context, port, mirrored: false);
            return;
        }

        var request = new KestrelFilterableRequest(context);
        if (_sessions.AnyNeedsBody)
        {
            await request.BufferJsonBodyAsync(_options.MaxFilteredBodyBytes, _budget, context.RequestAborted);
        }

        var route = _sessions.Route(port, request);
        if (route.Stealer is { } stealer)
        {
            // The pod's own probe is never stolen, whatever the session's filter says; mirrors still get a copy.
            if (!_probes.IsProbe(port, context))
            {
                await StealAsync(context, stealer);
                return;
            }

            _metrics.ProbeKept();
            Log.ProbeKept(_logger, port, stealer.Name);
        }

        var copy = route.Mirrors is null ? null : MirrorCopy.Begin(context, _options.MaxMirroredBodyBytes, _budget);
        try
        {
            await PassAsync(context, port, mirrored: copy is not null);
        }
        catch
        {
            copy?.Release();
            throw;
        }

        if (copy is null)
        {
            return;
        }

        if (copy.IsComplete)
        {
            _mirrors.Send(copy, route.Mirrors!);
        }
        else
        {
            _mirrors.Drop(route.Mirrors!, copy.WhyIncomplete(_options.MaxMirroredBodyBytes));
        }

        copy.Release();
    }

    private async Task PassAsync(HttpContext context, int port, bool mirrored)
    {
        var started = Stopwatch.GetTimestamp();
        var protocol = ProtocolLabel(context);
        _metrics.Routed(SidecarMetrics.Decisions.Passed, protocol);
        if (mirrored)
        {
            _metrics.Routed(SidecarMetrics.Decisions.Mirrored, protocol);
        }

        var (destination, invoker) = _app.For(context, port);
        var error = await _forwarder.SendAsync(
            context, destination, invoker, _configs.ForApp(context.Request), HttpTransformer.Empty);
        _metrics.Completed(SidecarMetrics.Decisions.Passed, protocol, Outcome(context, error), started);
        if (error == ForwarderError.None)
        {
            return;
        }

        if (ForwarderErrors.IsCallerSide(error))
        {
            // A caller that is still there merely ended its side of the request after the answer went out (gRPC
            // clients do): nothing failed. One that is gone hung up: routine, not the app's failure.
            if (context.RequestAborted.IsCancellationRequested)
            {
                _metrics.CallerHungUp();
                Log.CallerHungUp(_logger, port, error);
            }

            EndBrokenExchange(context, error);
            return;
        }

        _metrics.Failed(SidecarMetrics.Decisions.Passed);
        Log.PassThroughFailed(_logger, port, error, context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message);
    }

    /// <summary>Sends a request down <paramref name="session"/>'s tunnel, or answers it when that cannot be done.</summary>
    internal async Task StealAsync(HttpContext context, Session session)
    {
        if (session.HasEnded)
        {
            // Routed to the session an instant before it ended: answered as any request of an ended session.
            await TunnelFailureResponder.RespondAsync(context, session, ForwarderError.Request, mayHaveBeenDelivered: false);
            return;
        }

        using var lease = session.StolenLimiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            context.Response.Headers.RetryAfter = "1";
            await TunnelFailureResponder.WriteAsync(context, ErrorAnswer.For(
                context.Request.ContentType, StatusCodes.Status503ServiceUnavailable, TunnelErrors.SessionBusy,
                $"mirrord: the developer's debugging session that takes this request has {_options.StolenRequestsPerSession} requests in flight already.",
                ErrorAnswer.GrpcResourceExhausted, session.Id));
            return;
        }

        session.CountStolen();
        var started = Stopwatch.GetTimestamp();
        var protocol = ProtocolLabel(context);
        _metrics.Routed(SidecarMetrics.Decisions.Stolen, protocol);

        // A developer may hold this request at a breakpoint: Kestrel's minimum data rates must not cut it off.
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } requestRate)
        {
            requestRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } responseRate)
        {
            responseRate.MinDataRate = null;
        }

        var ticket = session.NewTicket();
        context.Features.Set(ticket);
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(context, session.DestinationPrefix, session.Invoker, ForwardingConfigs.Tunnel, TunnelTransformer.Steal);
        }
        finally
        {
            session.Forget(ticket);
        }

        _metrics.Completed(SidecarMetrics.Decisions.Stolen, protocol, Outcome(context, error), started);
        if (error == ForwarderError.None)
        {
            return;
        }

        // Abandoned first, the request can never reach the laptop later (a caller that retries causes no
        // second side effect); claimed first by the CLI, it may have been delivered.
        var claimed = !ticket.TryAbandon();
        if (ForwarderErrors.IsCallerSide(error))
        {
            _metrics.CallerHungUp();
            Log.CallerHungUp(_logger, InboundConnection.ContainerPortOf(context) ?? 0, error);
            EndBrokenExchange(context, error);
            return;
        }

        _metrics.Failed(SidecarMetrics.Decisions.Stolen);
        Log.StolenRequestFailed(_logger, session.Name, TunnelFailureResponder.Reference(context, session), error, context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message);
        await TunnelFailureResponder.RespondAsync(context, session, error, claimed);
    }

    /// <summary>
    /// After a caller-side forwarding error, ends the exchange of a caller that is gone: one whose connection
    /// is known to be closed, or one the answer could not be written to (which can be seen before the
    /// connection's end is), or an HTTP/1.1 caller whose request body broke off (its connection is all the
    /// body had, and a reset can be reported before the close is seen). Nothing is left to answer, and it
    /// spares Kestrel draining a request body the forwarder may still have a read pending on, which it would
    /// log as an error. A caller still there (a gRPC client ending its side after the answer, a malformed
    /// body Kestrel answers 400) keeps its exchange.
    /// </summary>
    private static void EndBrokenExchange(HttpContext context, ForwarderError error)
    {
        if (context.RequestAborted.IsCancellationRequested
            || error is ForwarderError.ResponseBodyClient or ForwarderError.ResponseBodyCanceled
            || (error is ForwarderError.RequestBodyClient && HttpProtocol.IsHttp11(context.Request.Protocol)
                && !IsMalformedRequest(context.Features.Get<IForwarderErrorFeature>()?.Exception)))
        {
            context.Abort();
        }
    }

    /// <summary>Kestrel's own complaint about a request (answered 400 by Kestrel), however the forwarder wrapped it.</summary>
    private static bool IsMalformedRequest(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BadHttpRequestException)
            {
                return true;
            }
        }

        return false;
    }

    private static string ProtocolLabel(HttpContext context) => HttpProtocol.IsHttp2(context.Request.Protocol) ? "h2" : "http/1.1";

    private static string Outcome(HttpContext context, ForwarderError error) => error switch
    {
        ForwarderError.None => SidecarMetrics.Outcomes.Answered,
        _ when ForwarderErrors.IsCallerSide(error) && context.RequestAborted.IsCancellationRequested => SidecarMetrics.Outcomes.CallerGone,
        _ when ForwarderErrors.IsCallerSide(error) => SidecarMetrics.Outcomes.Answered,
        _ => SidecarMetrics.Outcomes.Failed,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.CallerHungUp, EventName = "CallerHungUp", Level = LogLevel.Debug,
            Message = "A caller of port {Port} hung up before its request was done ({Error})")]
        public static partial void CallerHungUp(ILogger logger, int port, ForwarderError error);

        [LoggerMessage(EventId = SidecarEventIds.StolenRequestFailed, EventName = "StolenRequestFailed", Level = LogLevel.Warning,
            Message = "Request {Reference} stolen by session {Name} failed ({Error}): {Reason}")]
        public static partial void StolenRequestFailed(ILogger logger, string name, string reference, ForwarderError error, string? reason);

        [LoggerMessage(EventId = SidecarEventIds.ProbeKept, EventName = "ProbeKept", Level = LogLevel.Debug,
            Message = "A probe of the pod on port {Port} went to the app, not to session {Name}, which would have stolen it")]
        public static partial void ProbeKept(ILogger logger, int port, string name);

        [LoggerMessage(EventId = SidecarEventIds.PassThroughFailed, EventName = "PassThroughFailed", Level = LogLevel.Warning,
            Message = "A request to the container's port {Port} failed ({Error}): {Reason}")]
        public static partial void PassThroughFailed(ILogger logger, int port, ForwarderError error, string? reason);
    }
}
