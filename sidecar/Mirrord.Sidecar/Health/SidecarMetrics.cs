using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Health;

/// <summary>
/// The sidecar's instruments on the <see cref="MeterName"/> meter, exported with the filter engine's,
/// Kestrel's and the runtime's on the health port's <c>/metrics</c> (<c>Mirrord.Hosting.PrometheusMetrics</c>).
/// A counter's series appears with its first measurement; a scrape without it means zero.
/// </summary>
internal sealed class SidecarMetrics
{
    public const string MeterName = "Mirrord.Sidecar";

    /// <summary>Seconds: from a stolen request's microseconds on loopback to a developer's breakpoint.</summary>
    private static readonly double[] s_durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _tcpConnections;
    private readonly Counter<long> _callerHangUps;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _mirrorCopies;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _policyRefusals;
    private readonly Counter<long> _probesKept;
    private readonly Counter<long> _budgetSpent;
    private readonly Counter<long> _outgoingConnections;
    private readonly Counter<long> _outgoingBytes;
    private readonly Meter _meter;

    public SidecarMetrics(IMeterFactory meters, SessionRegistry sessions)
    {
        var meter = _meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("mirrord.requests", description: "HTTP requests by decision (stolen, passed, mirrored) and inbound protocol.");
        _requestDuration = meter.CreateHistogram(
            "mirrord.request.duration", unit: "s", description: "Time from routing a request to the end of its answer, by decision, protocol and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });
        _tcpConnections = meter.CreateCounter<long>("mirrord.tcp.connections", description: "Non-HTTP or whole-port connections relayed raw.");
        _callerHangUps = meter.CreateCounter<long>("mirrord.caller.hangups", description: "Callers that closed or reset their connection before their request was done (routine, not an error).");
        _errors = meter.CreateCounter<long>("mirrord.errors", description: "Requests that could not be delivered.");
        _mirrorCopies = meter.CreateCounter<long>("mirrord.mirror.copies", description: "Copies for mirror sessions: sent, or dropped by the rate limit or body size.");
        _sessions = meter.CreateCounter<long>("mirrord.sessions", description: "Sessions by outcome: started, refused, and how they ended.");
        _policyRefusals = meter.CreateCounter<long>("mirrord.policy.refusals", description: "Sessions the pod's policy refused or ended, by rule.");
        _budgetSpent = meter.CreateCounter<long>(
            "mirrord.buffer.budget.spent", description: "Buffers the budget could not hold, by use (mirror-copy, body-filter): the copy was dropped or the body filter saw no match.");
        _outgoingConnections = meter.CreateCounter<long>("mirrord.outgoing.connections", description: "Connections sessions opened from the pod, by outcome (opened, refused by policy, failed).");
        _outgoingBytes = meter.CreateCounter<long>("mirrord.outgoing.bytes", description: "Bytes relayed on sessions' outgoing connections, by direction (sent from the laptop, received from the destination).");
        _probesKept = meter.CreateCounter<long>("mirrord.probes.kept", description: "Requests of the pod's own probes a session would have stolen, passed to the app instead.");
        meter.CreateObservableGauge("mirrord.sessions.active", () => sessions.Sessions.Length, description: "Developer sessions registered on this pod.");
        meter.CreateObservableGauge("mirrord.session.tunnels", () => PerSession<int>(sessions, session => session.Tunnels.Attached), description: "Tunnel connections attached per session.");
        meter.CreateObservableGauge(
            "mirrord.tunnel.rtt", () => PerSession<double>(sessions, session => session.RoundTrip?.TotalSeconds), unit: "s",
            description: "Last round trip of a ping on each session's control connection.");
    }

    /// <summary>A session started, was refused, or ended (by its CLI, a timeout, the policy, an administrator, shutdown).</summary>
    public void Session(string outcome) => _sessions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A session the policy refused or ended, by rule.</summary>
    public void PolicyRefusal(string rule) => _policyRefusals.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>A request was routed: counted now, its duration recorded by <see cref="Completed"/>.</summary>
    public void Routed(string decision, string protocol)
        => _requests.Add(1, new KeyValuePair<string, object?>("decision", decision), new KeyValuePair<string, object?>("protocol", protocol));

    /// <summary>A routed request's answer ended (<paramref name="outcome"/>: answered, failed, caller-gone), <paramref name="started"/> being a <see cref="Stopwatch"/> timestamp.</summary>
    public void Completed(string decision, string protocol, string outcome, long started)
    {
        if (!_requestDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "decision", decision },
            { "protocol", protocol },
            { "outcome", outcome },
        };
        _requestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    public void RawConnection(bool stolen) => _tcpConnections.Add(1, new KeyValuePair<string, object?>("decision", stolen ? Decisions.Stolen : Decisions.Passed));

    /// <summary>A caller closed or reset its connection before its request or connection was done: routine (health checks, port scans, clients that give up).</summary>
    public void CallerHungUp() => _callerHangUps.Add(1);

    /// <summary>A buffer the budget could not hold (<paramref name="use"/>: mirror-copy, body-filter).</summary>
    public void BufferBudgetSpent(string use) => _budgetSpent.Add(1, new KeyValuePair<string, object?>("use", use));

    /// <summary>The bytes reserved in the buffer budget now, as a gauge.</summary>
    public void ObserveBufferBudget(Func<long> inUse)
        => _meter.CreateObservableGauge("mirrord.buffer.budget.used", inUse, unit: "By", description: "Bytes of request bodies held for mirror copies and body filters now.");

    /// <summary>One of the pod's probes went to the app although a session would have stolen it.</summary>
    public void ProbeKept() => _probesKept.Add(1);

    public void OutgoingConnection(string outcome) => _outgoingConnections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void OutgoingBytes(long sent, long received)
    {
        _outgoingBytes.Add(sent, new KeyValuePair<string, object?>("direction", "sent"));
        _outgoingBytes.Add(received, new KeyValuePair<string, object?>("direction", "received"));
    }

    public void Failed(string decision) => _errors.Add(1, new KeyValuePair<string, object?>("path", decision));

    public void MirrorCopy(bool sent) => _mirrorCopies.Add(1, new KeyValuePair<string, object?>("outcome", sent ? "sent" : "dropped"));

    private static IEnumerable<Measurement<T>> PerSession<T>(SessionRegistry sessions, Func<Session, T?> value)
        where T : struct
    {
        foreach (var session in sessions.Sessions)
        {
            if (value(session) is { } measured)
            {
                yield return new Measurement<T>(measured, new KeyValuePair<string, object?>("session", session.Id));
            }
        }
    }

    /// <summary>The values of the <c>decision</c> label.</summary>
    public static class Decisions
    {
        public const string Stolen = "stolen";
        public const string Passed = "passed";
        public const string Mirrored = "mirrored";
    }

    /// <summary>The values of the request-duration histogram's <c>outcome</c> label.</summary>
    public static class Outcomes
    {
        public const string Answered = "answered";
        public const string Failed = "failed";
        public const string CallerGone = "caller-gone";
    }
}
