using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Health;

/// <summary>
/// The sidecar's counters, rendered in the Prometheus text format on <c>/metrics</c>. Plain
/// interlocked counters on the hot path; the filter engine's own instruments (regex timeouts) are
/// collected through a MeterListener.
/// </summary>
internal sealed class SidecarMetrics : IDisposable
{
    private static readonly string[] s_protocols = ["http/1.1", "h2"];

    private readonly long[] _stolen = new long[2];
    private readonly long[] _passed = new long[2];
    private readonly long[] _mirroredRequests = new long[2];
    private readonly SessionRegistry _sessions;
    private readonly MeterListener _listener = new();
    private long _rawPassed;
    private long _callerHangUps;
    private long _rawStolen;
    private long _stolenFailed;
    private long _passFailed;
    private long _mirrorCopiesSent;
    private long _mirrorCopiesDropped;
    private long _filterTimeouts;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _sessionOutcomes = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _policyRefusals = new(StringComparer.Ordinal);

    public SidecarMetrics(SessionRegistry sessions)
    {
        _sessions = sessions;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Mirrord.Incoming")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _filterTimeouts, value));
        _listener.Start();
    }

    /// <summary>A session started, was refused, or ended (by its CLI, a timeout, the policy, an administrator, shutdown).</summary>
    public void Session(string outcome) => _sessionOutcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    /// <summary>A session the policy refused or ended, by rule.</summary>
    public void PolicyRefusal(string rule) => _policyRefusals.AddOrUpdate(rule, 1, (_, n) => n + 1);

    public void Stolen(bool http2) => Interlocked.Increment(ref _stolen[http2 ? 1 : 0]);

    public void Passed(bool http2, bool mirrored)
    {
        Interlocked.Increment(ref _passed[http2 ? 1 : 0]);
        if (mirrored)
        {
            Interlocked.Increment(ref _mirroredRequests[http2 ? 1 : 0]);
        }
    }

    public void RawConnection(bool stolen) => Interlocked.Increment(ref stolen ? ref _rawStolen : ref _rawPassed);

    /// <summary>A caller closed or reset its connection before its request or connection was done: routine (health checks, port scans, clients that give up).</summary>
    public void CallerHungUp() => Interlocked.Increment(ref _callerHangUps);

    public void StolenFailed() => Interlocked.Increment(ref _stolenFailed);

    public void PassFailed() => Interlocked.Increment(ref _passFailed);

    public void MirrorCopy(bool sent) => Interlocked.Increment(ref sent ? ref _mirrorCopiesSent : ref _mirrorCopiesDropped);

    public string Render()
    {
        var text = new StringBuilder();
        Header(text, "mirrord_requests_total", "counter", "HTTP requests by decision and inbound protocol.");
        for (var p = 0; p < 2; p++)
        {
            Line(text, "mirrord_requests_total", $"decision=\"stolen\",protocol=\"{s_protocols[p]}\"", Interlocked.Read(ref _stolen[p]));
            Line(text, "mirrord_requests_total", $"decision=\"passed\",protocol=\"{s_protocols[p]}\"", Interlocked.Read(ref _passed[p]));
            Line(text, "mirrord_requests_total", $"decision=\"mirrored\",protocol=\"{s_protocols[p]}\"", Interlocked.Read(ref _mirroredRequests[p]));
        }

        Header(text, "mirrord_tcp_connections_total", "counter", "Non-HTTP or whole-port connections relayed raw.");
        Line(text, "mirrord_tcp_connections_total", "decision=\"passed\"", Interlocked.Read(ref _rawPassed));
        Line(text, "mirrord_tcp_connections_total", "decision=\"stolen\"", Interlocked.Read(ref _rawStolen));
        Header(text, "mirrord_caller_hangups_total", "counter", "Callers that closed or reset their connection before their request was done (routine, not an error).");
        Line(text, "mirrord_caller_hangups_total", null, Interlocked.Read(ref _callerHangUps));
        Header(text, "mirrord_errors_total", "counter", "Requests that could not be delivered.");
        Line(text, "mirrord_errors_total", "path=\"stolen\"", Interlocked.Read(ref _stolenFailed));
        Line(text, "mirrord_errors_total", "path=\"passed\"", Interlocked.Read(ref _passFailed));
        Header(text, "mirrord_mirror_copies_total", "counter", "Copies for mirror sessions: sent, or dropped by the rate limit or body size.");
        Line(text, "mirrord_mirror_copies_total", "outcome=\"sent\"", Interlocked.Read(ref _mirrorCopiesSent));
        Line(text, "mirrord_mirror_copies_total", "outcome=\"dropped\"", Interlocked.Read(ref _mirrorCopiesDropped));
        Header(text, "mirrord_filter_match_timeouts_total", "counter", "Filter regex matches that ran past their timeout (counted as no match).");
        Line(text, "mirrord_filter_match_timeouts_total", null, Interlocked.Read(ref _filterTimeouts));

        Header(text, "mirrord_sessions_total", "counter", "Sessions by outcome: started, refused, and how they ended.");
        foreach (var (outcome, count) in _sessionOutcomes.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Line(text, "mirrord_sessions_total", $"outcome=\"{outcome}\"", count);
        }

        Header(text, "mirrord_policy_refusals_total", "counter", "Sessions the pod's policy refused or ended, by rule.");
        foreach (var (rule, count) in _policyRefusals.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Line(text, "mirrord_policy_refusals_total", $"rule=\"{rule}\"", count);
        }

        var sessions = _sessions.Sessions;
        Header(text, "mirrord_sessions_active", "gauge", "Developer sessions registered on this pod.");
        Line(text, "mirrord_sessions_active", null, sessions.Length);
        Header(text, "mirrord_session_tunnels", "gauge", "Tunnel connections attached per session.");
        foreach (var session in sessions)
        {
            Line(text, "mirrord_session_tunnels", $"session=\"{session.Id}\"", session.Tunnels.Attached);
        }

        Header(text, "mirrord_tunnel_rtt_seconds", "gauge", "Last round trip of a ping on each session's control connection.");
        foreach (var session in sessions)
        {
            if (session.RoundTrip is { } rtt)
            {
                text.Append(CultureInfo.InvariantCulture, $"mirrord_tunnel_rtt_seconds{{session=\"{session.Id}\"}} {rtt.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture)}\n");
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private static void Header(StringBuilder text, string name, string type, string help)
        => text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Line(StringBuilder text, string name, string? labels, long value)
        => text.Append(CultureInfo.InvariantCulture, $"{name}{(labels is null ? string.Empty : $"{{{labels}}}")} {value}\n");
}
