using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Mirrord.Incoming.Guardrails;
using Mirrord.Sidecar.Audit;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Outgoing;

/// <summary>
/// Connections a session opens from the pod (docs/OUTGOING.md): the name is resolved as the pod resolves it
/// (the sidecar shares the pod's resolv.conf, so its search path turns <c>postgres</c> into
/// <c>postgres.shop.svc.cluster.local</c>), the connection leaves from the pod's address under its
/// NetworkPolicies (and, in a meshed pod, through the mesh's outbound capture), and the bytes are relayed over
/// the session endpoint connection that asked. A connection lives only while its session does.
/// </summary>
internal sealed partial class OutgoingConnections
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    private readonly SessionPolicy _policy;
    private readonly AuditTrail _audit;
    private readonly SidecarMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly string _pod;
    private readonly ILogger<OutgoingConnections> _logger;

    public OutgoingConnections(IOptions<SidecarOptions> options, AuditTrail audit, SidecarMetrics metrics, TimeProvider time, ILogger<OutgoingConnections> logger)
    {
        _policy = options.Value.SessionPolicy();
        _audit = audit;
        _metrics = metrics;
        _time = time;
        _pod = options.Value.PodName.Length > 0 ? $"{options.Value.PodNamespace}/{options.Value.PodName}" : "(no pod name)";
        _logger = logger;
    }

    /// <summary>Opens the connection <paramref name="request"/> asks for and relays it over <paramref name="stream"/> until either side closes or the session ends.</summary>
    public async Task RelayAsync(Stream stream, Session session, OutgoingMessage request)
    {
        var destination = $"{request.Host}:{request.Port}";
        if (request.Port is < 1 or > 65535 || request.Host.Length is 0 or > 253)
        {
            await RefuseAsync(stream, session, destination, null, "failed", SessionErrorCodes.OutgoingFailed, $"{destination} is not a host and port");
            return;
        }

        // An address is checked as it is; a name once it is resolved, with each address it resolves to.
        var literal = IPAddress.TryParse(request.Host, out var parsed) ? parsed : null;
        if (literal is not null && _policy.CheckOutgoing(request.Host, literal, request.Port) is { } early)
        {
            await RefusePolicyAsync(stream, session, destination, literal, early);
            return;
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        IPAddress? address = null;
        try
        {
            using var timeout = new CancellationTokenSource(s_connectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, session.Ending);
            var addresses = literal is null ? await Dns.GetHostAddressesAsync(request.Host, linked.Token) : [literal];

            // A name may resolve to an address the policy keeps out: each is checked before it is dialled.
            foreach (var candidate in addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : 0))
            {
                if (_policy.CheckOutgoing(request.Host, candidate, request.Port) is { } refusal)
                {
                    await RefusePolicyAsync(stream, session, destination, candidate, refusal);
                    return;
                }

                address = candidate;
                break;
            }

            if (address is null)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            await socket.ConnectAsync(new IPEndPoint(address, request.Port), linked.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            var why = ex switch
            {
                SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => $"{request.Host} does not resolve in the pod",
                SocketException socketError => $"{(address is null ? destination : $"{destination} ({address})")} refused or unreachable from the pod: {socketError.Message}",
                _ when session.HasEnded => "the session ended",
                _ => $"{destination} did not answer within {s_connectTimeout.TotalSeconds:0} s",
            };
            await RefuseAsync(stream, session, destination, address, "failed", SessionErrorCodes.OutgoingFailed, why);
            return;
        }

        var started = _time.GetTimestamp();
        _metrics.OutgoingConnection("opened");
        Log.Opened(_logger, session.Name, session.Id, destination, address.ToString());
        try
        {
            await SessionFrames.WriteAsync(stream, new OutgoingOpenedMessage(socket.RemoteEndPoint!.ToString()!, socket.LocalEndPoint!.ToString()!));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return;
        }

        await using var remote = new NetworkStream(socket, ownsSocket: false);
        var (sent, received, outcome) = await PumpAsync(stream, remote, socket, session.Ending);
        _metrics.OutgoingBytes(sent, received);
        var lived = _time.GetElapsedTime(started);
        Log.Closed(_logger, session.Name, session.Id, destination, outcome, sent, received);
        _audit.Outgoing(_pod, session.Id, session.Name, session.Owner, destination, address.ToString(), outcome, sent, received, lived);
    }

    /// <summary>Both directions until each has ended (a half-close is passed on), or either fails, or the session ends.</summary>
    private static async Task<(long Sent, long Received, string Outcome)> PumpAsync(Stream laptop, NetworkStream remote, Socket socket, CancellationToken sessionEnding)
    {
        long sent = 0, received = 0;
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(sessionEnding);
        async Task CopyAsync(Stream from, Stream to, bool toRemote)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await from.ReadAsync(buffer, abort.Token)) > 0)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), abort.Token);
                    await to.FlushAsync(abort.Token);
                    if (toRemote)
                    {
                        Interlocked.Add(ref sent, read);
                    }
                    else
                    {
                        Interlocked.Add(ref received, read);
                    }
                }

                if (toRemote)
                {
                    socket.Shutdown(SocketShutdown.Send);
                }
                else
                {
                    // The laptop's end cannot be half-closed through the port-forward: the remote is done, so is the connection.
                    await abort.CancelAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                await abort.CancelAsync();
            }
        }

        await Task.WhenAll(CopyAsync(laptop, remote, toRemote: true), CopyAsync(remote, laptop, toRemote: false));
        return (Interlocked.Read(ref sent), Interlocked.Read(ref received), sessionEnding.IsCancellationRequested ? "session-ended" : "closed");
    }

    private async Task RefusePolicyAsync(Stream stream, Session session, string destination, IPAddress? address, PolicyRefusal refusal)
    {
        _metrics.PolicyRefusal(refusal.Rule);
        await RefuseAsync(stream, session, destination, address, "refused", SessionErrorCodes.Policy, $"the pod's session policy does not allow this connection ({refusal.Rule}): {refusal.Message}");
    }

    private async Task RefuseAsync(Stream stream, Session session, string destination, IPAddress? address, string outcome, string code, string message)
    {
        _metrics.OutgoingConnection(outcome);
        if (code == SessionErrorCodes.Policy)
        {
            Log.Refused(_logger, session.Name, session.Id, destination, message);
        }
        else
        {
            Log.Failed(_logger, session.Name, session.Id, destination, message);
        }

        _audit.Outgoing(_pod, session.Id, session.Name, session.Owner, destination, address?.ToString(), outcome, 0, 0, TimeSpan.Zero);
        try
        {
            await SessionFrames.WriteAsync(stream, new ErrorMessage(code, message));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The laptop went away; nothing to tell it.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.OutgoingOpened, EventName = "OutgoingOpened", Level = LogLevel.Debug,
            Message = "Session {Name} ({SessionId}) opened a connection from the pod to {Destination} ({Address})")]
        public static partial void Opened(ILogger logger, string name, string sessionId, string destination, string address);

        [LoggerMessage(EventId = SidecarEventIds.OutgoingRefused, EventName = "OutgoingRefused", Level = LogLevel.Warning,
            Message = "Session {Name} ({SessionId}) was refused a connection to {Destination}: {Reason}")]
        public static partial void Refused(ILogger logger, string name, string sessionId, string destination, string reason);

        [LoggerMessage(EventId = SidecarEventIds.OutgoingFailed, EventName = "OutgoingFailed", Level = LogLevel.Information,
            Message = "Session {Name} ({SessionId}) could not connect to {Destination}: {Reason}")]
        public static partial void Failed(ILogger logger, string name, string sessionId, string destination, string reason);

        [LoggerMessage(EventId = SidecarEventIds.OutgoingClosed, EventName = "OutgoingClosed", Level = LogLevel.Debug,
            Message = "Session {Name} ({SessionId}) closed its connection to {Destination} ({Outcome}): {Sent} bytes sent, {Received} received")]
        public static partial void Closed(ILogger logger, string name, string sessionId, string destination, string outcome, long sent, long received);
    }
}
