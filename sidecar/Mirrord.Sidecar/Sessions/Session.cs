using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.RateLimiting;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Policy;
using Mirrord.Sidecar.Hosting;
using Mirrord.Tunnel.Protocol;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// One developer's session on this pod: its compiled policy, its tunnel connections and the
/// HTTP/2 client that sends stolen and mirrored requests down them, and its back-pressure.
/// </summary>
internal sealed class Session : IAsyncDisposable
{
    private readonly CancellationTokenSource _ending = new();
    private readonly CancellationTokenSource _endRequested = new();
    private readonly byte[] _secret;
    private readonly int _stolenPermits;
    private readonly ConcurrentDictionary<long, StealTicket> _tickets = new();
    private long _nextTicket;
    private long _stolen;
    private long _mirrored;
    private long _mirrorsDropped;

    public Session(
        string name, IncomingTrafficPolicy policy, JsonElement incoming, SidecarOptions options, Func<ValueTask> requestTunnel, TimeProvider time, SessionOwner? owner = null, string? key = null)
    {
        Owner = owner;
        Key = key;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _secret = RandomNumberGenerator.GetBytes(32);
        Secret = Convert.ToBase64String(_secret);
        Name = name;
        Policy = policy;
        Incoming = incoming.Clone();
        StartedAt = time.GetUtcNow();
        DestinationPrefix = $"http://session-{Id}.tunnel/";
        Tunnels = new TunnelConnectionPool(requestTunnel, options.TunnelConnectTimeout, time, _ending.Token);
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = (_, cancellationToken) => Tunnels.ConnectAsync(cancellationToken),
            EnableMultipleHttp2Connections = true,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            // The tunnel is the only link to a laptop that may vanish: ping it, and let an idle one live.
            KeepAlivePingDelay = TimeSpan.FromSeconds(15),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            MaxResponseHeadersLength = HeaderLimits.ResponseHeaderKilobytes,
        });
        _stolenPermits = options.StolenRequestsPerSession;
        StolenLimiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.StolenRequestsPerSession, QueueLimit = 0 });
        MirrorLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.MirroredCopiesPerSecond,
            TokensPerPeriod = options.MirroredCopiesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public string Id { get; }

    /// <summary>Who opened the session, as their CLI declared it.</summary>
    public SessionOwner? Owner { get; }

    /// <summary>The session key (mirrord's <c>key</c>) the CLI declared, which share links carry; null from a CLI that sends none.</summary>
    public string? Key { get; }

    /// <summary>Ports another session took over (<c>on_concurrent_steal: "override"</c>): this session no longer claims them.</summary>
    public WithdrawnPorts Withdrawn { get; } = new();

    /// <summary>Tells the session's CLI something that changed while it runs; set by the control channel.</summary>
    public Action<string> Notify { get; set; } = _ => { };

    /// <summary>What <c>list</c> tells about the session: never its secret.</summary>
    public SessionSummary Summary() => new(Id, Name, Incoming, StartedAt, Stolen, Mirrored, Tunnels.Attached, Owner, Key);

    /// <summary>Cancelled when the session is to end for a reason of the sidecar's own (the policy's lifetime, an administrator).</summary>
    public CancellationToken EndRequested => _endRequested.Token;

    /// <summary>Why, once <see cref="EndRequested"/> is cancelled: the error code the CLI is sent and a sentence.</summary>
    public (string Code, string Reason)? EndRequest { get; private set; }

    /// <summary>Asks the session's control loop to end it, telling the CLI <paramref name="reason"/>; the first request wins.</summary>
    public bool RequestEnd(string code, string reason)
    {
        lock (_endRequested)
        {
            if (EndRequest is not null)
            {
                return false;
            }

            EndRequest = (code, reason);
        }

        _endRequested.Cancel();
        return true;
    }

    public string Name { get; }

    /// <summary>Handed once to the registering CLI; never logged or listed.</summary>
    public string Secret { get; }

    public IncomingTrafficPolicy Policy { get; }

    public JsonElement Incoming { get; }

    public DateTimeOffset StartedAt { get; }

    public string DestinationPrefix { get; }

    public TunnelConnectionPool Tunnels { get; }

    public HttpMessageInvoker Invoker { get; }

    public RateLimiter StolenLimiter { get; }

    /// <summary>Stolen requests of this session that have not finished.</summary>
    public long StolenInFlight => _stolenPermits - (StolenLimiter.GetStatistics()?.CurrentAvailablePermits ?? _stolenPermits);

    public RateLimiter MirrorLimiter { get; }

    public CancellationToken Ending => _ending.Token;

    public bool HasEnded => _ending.IsCancellationRequested;

    public long Stolen => Interlocked.Read(ref _stolen);

    public long Mirrored => Interlocked.Read(ref _mirrored);

    public long MirrorsDropped => Interlocked.Read(ref _mirrorsDropped);

    /// <summary>The last round trip of a sidecar ping on the control connection.</summary>
    public TimeSpan? RoundTrip { get; set; }

    public bool Steals => Policy.Config.Mode == IncomingMode.Steal;

    public void CountStolen() => Interlocked.Increment(ref _stolen);

    public void CountMirrored() => Interlocked.Increment(ref _mirrored);

    public void CountMirrorDropped() => Interlocked.Increment(ref _mirrorsDropped);

    /// <summary>A ticket for a stolen request about to go down the tunnel; <see cref="Forget"/> it when the request is done.</summary>
    public StealTicket NewTicket()
    {
        var ticket = new StealTicket(Interlocked.Increment(ref _nextTicket));
        _tickets[ticket.Id] = ticket;
        if (HasEnded)
        {
            // Ended while this was being made: DisposeAsync may already have abandoned the others.
            ticket.TryAbandon();
        }

        return ticket;
    }

    public void Forget(StealTicket ticket) => _tickets.TryRemove(ticket.Id, out _);

    /// <summary>The CLI's claim of a stolen request: granted while the request is pending; refused once the sidecar answered it, or for a request it does not know.</summary>
    public bool TryClaim(long requestId) => _tickets.TryGetValue(requestId, out var ticket) && ticket.TryClaim();

    public bool VerifySecret(string candidate)
    {
        Span<byte> decoded = stackalloc byte[64];
        return Convert.TryFromBase64String(candidate, decoded, out var length)
            && CryptographicOperations.FixedTimeEquals(decoded[..length], _secret);
    }

    /// <summary>
    /// Ends the session. Requests already routed to it may still be on their way in: they find it
    /// ended (<see cref="HasEnded"/>, <see cref="Ending"/>) and answer as documented. So the
    /// cancellation source and the concurrency limiter, which hold no timer or handle, are left to
    /// the collector rather than disposed under them; the mirror limiter's timer is stopped, and its
    /// users check <see cref="HasEnded"/> and treat a disposed limiter as an ended session.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _ending.CancelAsync();
        foreach (var ticket in _tickets.Values)
        {
            ticket.TryAbandon();
        }

        Tunnels.Close();
        Invoker.Dispose();
        await MirrorLimiter.DisposeAsync();
    }

    public override string ToString() => $"{Name} ({Id})";

    /// <summary>The session's mode and filter in one line, for logs.</summary>
    public string DescribePolicy()
        => $"{Policy.Config.Mode.ToString().ToLowerInvariant()}, {Policy.Config.HttpFilter?.Rule.Describe() ?? "no filter"}";
}
