using System.Text;
using System.Text.Json;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Sidecar.Audit;

/// <summary>
/// One JSON line per session start, end and refusal on the sidecar's standard output (beside its
/// log, for the cluster's log pipeline): when, which pod, which session, who declared they opened
/// it, its mode, filter and ports, how it ended and what it took. The filter is the developer's
/// pattern text; no request or header value ever appears.
/// </summary>
internal sealed class AuditTrail
{
    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly object _gate = new();

    public AuditTrail(TextWriter output, TimeProvider time)
    {
        _output = output;
        _time = time;
    }

    public void Started(string pod, string sessionId, string name, SessionOwner? owner, IncomingConfig config, string kind)
        => Write("session-started", pod, sessionId, name, owner, config, kind, w => { });

    public void Refused(string pod, string name, SessionOwner? owner, IncomingConfig? config, string? kind, string rule, string reason)
        => Write("session-refused", pod, null, name, owner, config, kind, w =>
        {
            w.WriteString("rule", rule);
            w.WriteString("reason", reason);
        });

    public void Ended(string pod, string sessionId, string name, SessionOwner? owner, IncomingConfig config, string kind, string outcome, string reason, long stolen, long mirrored)
        => Write("session-ended", pod, sessionId, name, owner, config, kind, w =>
        {
            w.WriteString("outcome", outcome);
            w.WriteString("reason", reason);
            w.WriteNumber("stolen", stolen);
            w.WriteNumber("mirrored", mirrored);
        });

    /// <summary>One connection a session opened from the pod, when it ends: where it went, how many bytes each way and how long it lived (never what it carried).</summary>
    public void Outgoing(string pod, string sessionId, string name, SessionOwner? owner, string destination, string? address, string outcome, long sent, long received, TimeSpan duration)
        => Write("outgoing-connection", pod, sessionId, name, owner, config: null, kind: null, w =>
        {
            w.WriteString("destination", destination);
            w.WriteString("address", address);
            w.WriteString("outcome", outcome);
            w.WriteNumber("bytesSent", sent);
            w.WriteNumber("bytesReceived", received);
            w.WriteNumber("seconds", Math.Round(duration.TotalSeconds, 3));
        });

    private void Write(string @event, string pod, string? sessionId, string name, SessionOwner? owner, IncomingConfig? config, string? kind, Action<Utf8JsonWriter> rest)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", _time.GetUtcNow());
            w.WriteString("audit", @event);
            w.WriteString("pod", pod);
            if (sessionId is not null)
            {
                w.WriteString("session", sessionId);
            }

            w.WriteString("name", name);
            w.WriteStartObject("owner");
            w.WriteString("kubeUser", owner?.KubeUser);
            w.WriteString("context", owner?.Context);
            w.WriteString("localUser", owner?.LocalUser);
            w.WriteBoolean("selfDeclared", true);
            w.WriteEndObject();
            if (kind is not null)
            {
                w.WriteString("mode", kind);
            }

            if (config is not null)
            {
                w.WriteString("filter", config.HttpFilter?.Rule.Describe());
                // The ports the session really filters: a protected port stays in http_filter.ports but is never stolen.
                w.WriteStartArray("filterPorts");
                foreach (var port in config.HttpFilter?.Ports ?? [])
                {
                    if (Mirrord.Incoming.Policy.PortClaims.For(config, port).Kind == Mirrord.Incoming.Policy.PortClaimKind.FilteredRequests)
                    {
                        w.WriteNumberValue(port);
                    }
                }

                w.WriteEndArray();
            }

            rest(w);
            w.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
