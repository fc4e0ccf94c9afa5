using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Mirrord.Cli.Output;
using Mirrord.Tunnel;
using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Cli.Local;

/// <summary>
/// Serves what arrives on the tunnel: removes the tunnel headers, delivers the request to the
/// local process with the protocol the original client spoke (gRPC stays HTTP/2), relays whole TCP
/// connections, and reports each request. A stolen request is claimed from the sidecar first and
/// delivered only if granted: one the sidecar has answered already (the session ended while it was
/// on its way) never reaches the local process. When the local process is down the request is
/// answered 502 with <c>mirrord-error: local-app-unreachable</c>, so the caller knows why.
/// </summary>
internal sealed partial class LocalDelivery : IDisposable
{
    private static readonly ForwarderRequestConfig s_http2 = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly ForwarderRequestConfig s_http11 = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };

    private readonly IHttpForwarder _forwarder;
    private readonly LocalTarget _target;
    private readonly Reporter _reporter;
    private readonly ILogger<LocalDelivery> _logger;
    private readonly HttpMessageInvoker _invoker = new(LocalTlsClient.LocalHandler());

    public LocalDelivery(IHttpForwarder forwarder, LocalTarget target, Reporter reporter, ILogger<LocalDelivery> logger)
    {
        _forwarder = forwarder;
        _target = target;
        _reporter = reporter;
        _logger = logger;
    }

    public async Task DeliverAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var headers = context.Request.Headers;
        var containerPort = int.TryParse(headers[TunnelHeaders.Port], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var http2 = headers[TunnelHeaders.Protocol] == TunnelHeaders.Http2;
        var overTls = headers[TunnelHeaders.Tls] == "1" && _target.Tls is not null;
        var callerServerName = headers[TunnelHeaders.TlsServerName].ToString();
        var tunnelMode = headers[TunnelHeaders.Mode].ToString();
        var wholeConnection = tunnelMode == TunnelHeaders.Tcp;
        var mode = tunnelMode is TunnelHeaders.Mirror ? TunnelHeaders.Mirror : TunnelHeaders.Steal;
        long? requestId = long.TryParse(headers[TunnelHeaders.RequestId], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        foreach (var name in headers.Keys.Where(TunnelHeaders.IsTunnelHeader).ToList())
        {
            headers.Remove(name);
        }

        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;

        // The caller is told which request failed (as the sidecar would tell it), never where on the laptop.
        var reference = items?[TunnelConnectionSource.SessionItemKey] is Tunnel.Client.SessionClient owner && requestId is { } number
            ? $"{owner.SessionId}/{number.ToString(CultureInfo.InvariantCulture)}"
            : null;
        var pod = items?[TunnelConnectionSource.PodItemKey] as string ?? "?";
        if (requestId is { } claim && !await ClaimAsync(items, claim, context.RequestAborted))
        {
            // Nobody reads this answer: the sidecar gave the caller its own, and the caller may retry elsewhere.
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            _reporter.Request(new RequestRecord(
                DateTimeOffset.Now, mode, context.Request.Method, context.Request.Path + context.Request.QueryString, null, Stopwatch.GetElapsedTime(started), pod,
                "the sidecar had already answered its caller (the session ended or its tunnel broke); it was not delivered and never will be"));
            return;
        }

        // Stolen requests and relayed connections may idle for minutes (a breakpoint, a quiet database session).
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        var localPort = _target.PortFor(containerPort);
        string? error = null;
        // Only the sidecar sets the mode (it removes every caller's tunnel headers): a caller's POST to this path is an ordinary request.
        if (wholeConnection && context.Request.Path == TunnelHeaders.TcpPath && HttpMethods.IsPost(context.Request.Method))
        {
            error = await RelayConnectionAsync(context, localPort, reference);
        }
        else
        {
            var result = await _forwarder.SendAsync(
                context, $"http://{_target.Address}:{localPort.ToString(CultureInfo.InvariantCulture)}/",
                overTls ? _target.Tls!.InvokerFor(callerServerName, context.Request.Host.Value) : _invoker, http2 ? s_http2 : s_http11, HttpTransformer.Empty);
            if (result is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient)
            {
                // The tunnel side went away (the sidecar gave up, or its caller hung up); the local process was fine.
                error = $"the answer could not be sent back: the path to the pod broke ({result})";
            }
            else if (result != ForwarderError.None)
            {
                error = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? result.ToString();
                await RespondUnreachableAsync(context, localPort, error, reference);
            }
        }

        _reporter.Request(new RequestRecord(
            DateTimeOffset.Now, mode, context.Request.Method, context.Request.Path + context.Request.QueryString, context.Response.StatusCode,
            Stopwatch.GetElapsedTime(started), pod, error));
    }

    private static async Task<bool> ClaimAsync(IDictionary<object, object?>? items, long requestId, CancellationToken cancellationToken)
        => items?[TunnelConnectionSource.SessionItemKey] is Tunnel.Client.SessionClient session && await session.ClaimAsync(requestId, cancellationToken);

    private async Task<string?> RelayConnectionAsync(HttpContext context, int localPort, string? reference)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(_target.Address), localPort, context.RequestAborted);
        }
        catch (SocketException ex)
        {
            await RespondUnreachableAsync(context, localPort, ex.Message, reference);
            return ex.Message;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(context.RequestAborted);
        await using var local = new NetworkStream(socket, ownsSocket: false);
        var up = CopyAsync(() => context.Request.BodyReader.CopyToAsync(local), () => socket.Shutdown(SocketShutdown.Send));
        var down = CopyAsync(() => local.CopyToAsync(context.Response.BodyWriter, context.RequestAborted), () => { });
        await Task.WhenAll(up, down);
        return null;
    }

    public void Dispose() => _invoker.Dispose();

    private static async Task CopyAsync(Func<Task> copy, Action done)
    {
        try
        {
            await copy();
            done();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side closing ends the relay.
        }
    }

    private async Task RespondUnreachableAsync(HttpContext context, int localPort, string reason, string? reference)
    {
        Log.LocalAppUnreachable(_logger, _target.Address, localPort, reason);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        var answer = ErrorAnswer.For(
            context.Request.ContentType, StatusCodes.Status502BadGateway, TunnelErrors.LocalAppUnreachable,
            "mirrord: this request was taken by a developer's debugging session, but the developer's local process did not answer it.", ErrorAnswer.GrpcUnavailable, reference);
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = answer.ContentType;
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is { } body)
        {
            await context.Response.WriteAsync(body);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = CliEventIds.LocalAppUnreachable, EventName = "LocalAppUnreachable", Level = LogLevel.Warning,
            Message = "The local process at {Address}:{Port} did not answer: {Reason}")]
        public static partial void LocalAppUnreachable(ILogger logger, string address, int port, string reason);
    }
}
