using Microsoft.Extensions.Options;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Policy;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The sessions on this pod, in decision order. Readers take an immutable snapshot per request, so
/// routing never locks; registration and removal swap the snapshot under a lock.
/// </summary>
internal sealed class SessionRegistry
{
    private readonly object _gate = new();
    private readonly IReadOnlyList<int> _servedPorts;
    private readonly TimeProvider _time;
    private readonly TimeSpan _filterTime;
    private readonly Mirrord.Incoming.Guardrails.RequiredHeaderGate _requiredHeaders;
    private readonly EndedKeys _ended;
    private Session[] _sessions = [];

    public SessionRegistry(IOptions<SidecarOptions> options, TimeProvider time)
    {
        var value = options.Value;
        _time = time;
        _ended = new EndedKeys(time);
        _filterTime = value.FilterTimePerRequest;
        _requiredHeaders = new Mirrord.Incoming.Guardrails.RequiredHeaderGate(value.SessionPolicy().RequiredHeaders);
        _servedPorts = [.. value.InterceptedPortList.Concat(value.DirectListenerList.Select(l => l.ContainerPort)).Distinct().Order()];
    }

    /// <summary>The container ports this sidecar serves.</summary>
    public IReadOnlyList<int> ServedPorts => _servedPorts;

    public Session[] Sessions => Volatile.Read(ref _sessions);

    /// <summary>True when some session filters on the request body, so routing must buffer it first.</summary>
    public bool AnyNeedsBody { get; private set; }

    /// <summary>
    /// Adds a session following its <c>on_concurrent_steal</c>; returns a message naming the
    /// conflict when it must be refused. Two filtered sessions never conflict: they share the port.
    /// </summary>
    public string? TryAdd(Session candidate) => TryAdd(candidate, null, out _);

    /// <summary>Adds the session unless it conflicts, or the pod already carries <paramref name="maxSessions"/> (then <paramref name="full"/>).</summary>
    public string? TryAdd(Session candidate, int? maxSessions, out bool full)
    {
        lock (_gate)
        {
            full = maxSessions is { } max && Volatile.Read(ref _sessions).Length >= max;
            if (full)
            {
                return $"the pod carries {Volatile.Read(ref _sessions).Length} session(s), the most its policy allows ({maxSessions}); try again when one ends";
            }

            var overlaps = candidate.Steals ? FindOverlaps(candidate) : [];
            var policy = candidate.Policy.Config.OnConcurrentSteal;
            if (overlaps is [var found, ..] && policy == ConcurrentStealPolicy.Abort)
            {
                return $"on port {found.Port}, session {found.Session.Name} already {Claim(found.Session, found.Port)} and this session {Claim(candidate, found.Port)}; " +
                    "give both sessions an http_filter for that port, or set on_concurrent_steal to \"continue\" (the other session keeps what it has) or \"override\" (this one takes over)";
            }

            if (policy == ConcurrentStealPolicy.Override)
            {
                // The other sessions' overlapping claims end, and their developers are told who took them; they come back
                // when this session ends.
                foreach (var (session, port) in overlaps)
                {
                    session.Withdrawn.Withdraw(port, candidate.Id);
                    session.Notify($"session {candidate.Name} ({candidate.Owner?.ToString() ?? "owner not declared"}) took port {port} over (on_concurrent_steal \"override\"): " +
                        "this session no longer gets its traffic there until that session ends");
                }
            }

            var sessions = Volatile.Read(ref _sessions);
            Publish(overlaps.Count > 0 && policy == ConcurrentStealPolicy.Override ? [candidate, .. sessions] : [.. sessions, candidate]);
            _ended.Held(candidate.Key);
            return null;
        }
    }

    public bool Remove(Session session)
    {
        lock (_gate)
        {
            var sessions = Volatile.Read(ref _sessions);
            if (!sessions.Contains(session))
            {
                return false;
            }

            Publish([.. sessions.Where(s => s != session)]);
            foreach (var other in Volatile.Read(ref _sessions))
            {
                if (other.Withdrawn.Restore(session.Id) is { Count: > 0 } returned)
                {
                    other.Notify($"session {session.Name} ended: port(s) {string.Join(", ", returned)} are this session's again");
                }
            }

            if (session.Key is { } key && !Volatile.Read(ref _sessions).Any(s => s.Key == key))
            {
                _ended.Ended(key);
            }

            return true;
        }
    }

    /// <summary>Ends <paramref name="sessionId"/>, or every session when null; the ids of those ended, null when there is no such session.</summary>
    public IReadOnlyList<string>? Kill(string? sessionId, string by)
    {
        var targets = Sessions.Where(s => sessionId is null || s.Id == sessionId).ToList();
        return sessionId is not null && targets.Count == 0
            ? null
            : [.. targets.Where(session => session.RequestEnd(Tunnel.Protocol.SessionErrorCodes.Killed, $"an administrator ended the session ({by})")).Select(s => s.Id)];
    }

    /// <summary>True when a session on this pod held <paramref name="key"/> and none holds it now (a share link gone stale).</summary>
    public bool HasEnded(string key) => _ended.Contains(key) && !Sessions.Any(s => s.Key == key);

    public Session? Find(string id)
    {
        foreach (var session in Sessions)
        {
            if (session.Id == id)
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>The first session that steals a port's connections whole, if any.</summary>
    public Session? WholePortStealer(int port)
    {
        foreach (var session in Sessions)
        {
            if (session.Steals && session.Policy.ClaimFor(port).Kind == PortClaimKind.WholeConnections && !session.Withdrawn.Contains(port))
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>
    /// Decides one request: the first session (in order) that steals it wins; every mirror session
    /// that wants it before that gets a copy. All the sessions' filters together get
    /// <see cref="SidecarOptions.FilterTimePerRequest"/> for the request.
    /// </summary>
    public RouteResult Route(int port, IFilterableRequest request)
    {
        // The pod's policy may require a header on every request a session takes: without it, nobody gets it.
        if (!_requiredHeaders.IsOpen && !_requiredHeaders.Admits(request))
        {
            return new RouteResult(null, null);
        }

        List<Session>? mirrors = null;
        var deadline = new FilterDeadline(_time, _filterTime);
        foreach (var session in Sessions)
        {
            if (session.Withdrawn.Contains(port))
            {
                continue;
            }

            var decision = session.Policy.Decide(port, request, deadline);
            switch (decision.Action)
            {
                case TrafficAction.Steal:
                    return new RouteResult(session, mirrors);
                case TrafficAction.Mirror:
                    (mirrors ??= []).Add(session);
                    break;
            }
        }

        return new RouteResult(null, mirrors);
    }

    /// <summary>Every port where the candidate's steal and an existing session's steal would contend (one takes the port whole).</summary>
    private List<(Session Session, int Port)> FindOverlaps(Session candidate)
    {
        var overlaps = new List<(Session, int)>();
        foreach (var existing in Volatile.Read(ref _sessions))
        {
            if (!existing.Steals)
            {
                continue;
            }

            foreach (var port in _servedPorts)
            {
                var mine = candidate.Policy.ClaimFor(port).Kind;
                var theirs = existing.Withdrawn.Contains(port) ? PortClaimKind.None : existing.Policy.ClaimFor(port).Kind;
                if (mine != PortClaimKind.None && theirs != PortClaimKind.None
                    && (mine == PortClaimKind.WholeConnections || theirs == PortClaimKind.WholeConnections))
                {
                    overlaps.Add((existing, port));
                }
            }
        }

        return overlaps;
    }

    private static string Claim(Session session, int port) => session.Policy.ClaimFor(port).Kind == PortClaimKind.WholeConnections
        ? "steals every connection"
        : "steals the requests its filter matches";

    private void Publish(Session[] sessions)
    {
        Volatile.Write(ref _sessions, sessions);
        AnyNeedsBody = sessions.Any(session => session.Policy.Filter?.NeedsBody == true);
    }
}
