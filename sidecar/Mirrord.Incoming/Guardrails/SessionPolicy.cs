using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Incoming.Guardrails;

/// <summary>
/// What a platform team allows developers' sessions on its pods: which kinds of session
/// (<see cref="SessionKind"/>), patterns every steal filter must pin (mirrord's policies match them
/// against the text of the session's header filter), how many sessions a pod carries at once, how
/// long one may live, and container ports that are never stolen. Set cluster-wide in the webhook's
/// configuration and per namespace in its <c>mirrord.dev/policy</c> annotation; the two combine to
/// the stricter (<see cref="Combine"/>), and the result is written into every injected sidecar,
/// which enforces it when a session registers. The empty policy allows everything.
/// </summary>
public sealed record SessionPolicy
{
    public static SessionPolicy Empty { get; } = new();

    /// <summary>Null: every kind.</summary>
    public IReadOnlyList<SessionKind>? AllowedModes { get; init; }

    /// <summary>Each must match the pattern of a header rule the session's filter cannot do without.</summary>
    public IReadOnlyList<string> RequiredHeaderFilters { get; init; } = [];

    public int? MaxSessionsPerPod { get; init; }

    public TimeSpan? MaxSessionLifetime { get; init; }

    public IReadOnlyList<int> ProtectedPorts { get; init; } = [];

    /// <summary>Headers every request must carry to be stolen or copied, whatever the session's filter says (checked per request by the sidecar).</summary>
    public IReadOnlyList<RequiredHeader> RequiredHeaders { get; init; } = [];

    /// <summary>Whether sessions may open connections from the pod (<c>mirrord-cli exec</c>'s outgoing traffic); null: allowed.</summary>
    public bool? AllowOutgoing { get; init; }

    /// <summary>
    /// Where such connections may go, in mirrord's address syntax (<see cref="AddressFilter"/>): a destination must
    /// match an entry of every list (two policies combined keep both lists). Empty: anywhere the pod can reach.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<AddressFilter>> OutgoingDestinations { get; init; } = [];

    public bool IsEmpty => AllowedModes is null && RequiredHeaderFilters.Count == 0 && MaxSessionsPerPod is null && MaxSessionLifetime is null && ProtectedPorts.Count == 0
        && RequiredHeaders.Count == 0 && AllowOutgoing is null && OutgoingDestinations.Count == 0;

    /// <summary>The stricter of the two, rule by rule: modes both allow, both sets of patterns, the lower limits, both sets of ports.</summary>
    public SessionPolicy Combine(SessionPolicy other) => new()
    {
        AllowedModes = AllowedModes is null ? other.AllowedModes : other.AllowedModes is null ? AllowedModes : [.. AllowedModes.Intersect(other.AllowedModes)],
        RequiredHeaderFilters = [.. RequiredHeaderFilters.Union(other.RequiredHeaderFilters, StringComparer.Ordinal)],
        MaxSessionsPerPod = Min(MaxSessionsPerPod, other.MaxSessionsPerPod),
        MaxSessionLifetime = MaxSessionLifetime is { } a && other.MaxSessionLifetime is { } b ? (a < b ? a : b) : MaxSessionLifetime ?? other.MaxSessionLifetime,
        ProtectedPorts = [.. ProtectedPorts.Union(other.ProtectedPorts).Order()],
        RequiredHeaders = [.. RequiredHeaders.Union(other.RequiredHeaders)],
        AllowOutgoing = AllowOutgoing is null ? other.AllowOutgoing : other.AllowOutgoing is null ? AllowOutgoing : AllowOutgoing.Value && other.AllowOutgoing.Value,
        OutgoingDestinations = [.. OutgoingDestinations, .. other.OutgoingDestinations],
    };

    /// <summary>Whether a session may open a connection from the pod to <paramref name="host"/> (as asked) at <paramref name="address"/>, port <paramref name="port"/>. Null when allowed.</summary>
    public PolicyRefusal? CheckOutgoing(string host, IPAddress? address, int port)
    {
        if (AllowOutgoing == false)
        {
            return new PolicyRefusal(PolicyRules.AllowOutgoing, "sessions on this pod may not open connections from it (allowOutgoing is false)");
        }

        foreach (var list in OutgoingDestinations)
        {
            if (!list.Any(filter => filter.Matches(AddressProtocol.Tcp, host, address, port)))
            {
                return new PolicyRefusal(PolicyRules.OutgoingDestinations,
                    $"{host}:{port.ToString(CultureInfo.InvariantCulture)} is not among the destinations sessions may reach from this pod ({string.Join(", ", list)})");
            }
        }

        return null;
    }

    private static int? Min(int? a, int? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;

    /// <summary>The policy's rules in a sentence each, for check-inject, status and the docs.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        if (AllowedModes is { } modes)
        {
            lines.Add($"allowed modes: {(modes.Count == 0 ? "none" : string.Join(", ", modes.Select(SessionKinds.Name)))}");
        }

        lines.AddRange(RequiredHeaderFilters.Select(pattern => $"every steal filter must pin a header matching {pattern}"));
        if (MaxSessionsPerPod is { } max)
        {
            lines.Add($"at most {max} session(s) per pod");
        }

        if (MaxSessionLifetime is { } lifetime)
        {
            lines.Add($"sessions end after {SessionKinds.Duration(lifetime)}");
        }

        if (ProtectedPorts.Count > 0)
        {
            lines.Add($"never stolen: port(s) {string.Join(", ", ProtectedPorts)}");
        }

        lines.AddRange(RequiredHeaders.Select(header => $"only requests with {header.Describe()} are stolen or copied"));
        if (AllowOutgoing == false)
        {
            lines.Add("no connections from the pod (outgoing traffic of mirrord-cli exec)");
        }

        lines.AddRange(OutgoingDestinations.Select(list => $"connections from the pod only to {string.Join(", ", list)}"));
        return lines;
    }

    /// <summary>The JSON a sidecar reads (<c>MIRRORD_Sidecar__Policy</c>) and the annotation's format.</summary>
    public string ToJson()
    {
        var json = new JsonObject();
        if (AllowedModes is { } modes)
        {
            json["allowedModes"] = new JsonArray([.. modes.Select(m => (JsonNode)JsonValue.Create(SessionKinds.Name(m)))]);
        }

        if (RequiredHeaderFilters.Count > 0)
        {
            json["requiredHeaderFilter"] = new JsonArray([.. RequiredHeaderFilters.Select(p => (JsonNode)JsonValue.Create(p))]);
        }

        if (MaxSessionsPerPod is { } max)
        {
            json["maxSessionsPerPod"] = max;
        }

        if (MaxSessionLifetime is { } lifetime)
        {
            json["maxSessionLifetime"] = lifetime.ToString("c", CultureInfo.InvariantCulture);
        }

        if (ProtectedPorts.Count > 0)
        {
            json["protectedPorts"] = new JsonArray([.. ProtectedPorts.Select(p => (JsonNode)JsonValue.Create(p))]);
        }

        if (RequiredHeaders.Count > 0)
        {
            json["requiredHeader"] = new JsonArray([.. RequiredHeaders.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["value"] = h.ValuePattern })]);
        }

        if (AllowOutgoing is { } allow)
        {
            json["allowOutgoing"] = allow;
        }

        if (OutgoingDestinations.Count > 0)
        {
            json["outgoingDestinations"] = new JsonArray([.. OutgoingDestinations.Select(list => (JsonNode)new JsonArray([.. list.Select(f => (JsonNode)JsonValue.Create(f.ToString()))]))]);
        }

        return json.ToJsonString();
    }

    /// <summary>
    /// Whether a session may register: its config (the pod's default filter already applied), the
    /// ports the sidecar serves, and how many sessions the pod has now. Null when allowed.
    /// </summary>
    public PolicyRefusal? Check(IncomingConfig config, IReadOnlyList<int> servedPorts, int sessionsNow)
    {
        var kind = SessionKinds.Of(config, servedPorts, ProtectedPorts);
        if (AllowedModes is { } modes && !modes.Contains(kind))
        {
            return new PolicyRefusal(PolicyRules.Mode,
                $"{SessionKinds.Explain(kind)} is not allowed here; allowed: {(modes.Count == 0 ? "none" : string.Join(", ", modes.Select(SessionKinds.Name)))}");
        }

        if (config.Mode == IncomingMode.Steal)
        {
            foreach (var required in RequiredHeaderFilters)
            {
                // Header patterns ignore case (docs/CONFIG.md), so the requirement reads them so too.
                var requirement = new System.Text.RegularExpressions.Regex(
                    Filtering.RustRegexDialect.Translate(required).Pattern ?? required,
                    System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
                if (!PinnedHeaderPatterns(config.HttpFilter?.Rule).Any(requirement.IsMatch))
                {
                    return new PolicyRefusal(PolicyRules.HeaderFilter,
                        $"a steal filter here must pin a header whose pattern matches {required} (a header_filter, or a header rule inside all_of, " +
                        $"anchored to its header name as ^Name: and without a top-level |); this session's filter is {config.HttpFilter?.Rule.Describe() ?? "none"}");
                }

                // A pinned header on one port says nothing about a port taken whole.
                if (kind == SessionKind.StealUnfiltered)
                {
                    return new PolicyRefusal(PolicyRules.HeaderFilter,
                        $"a steal filter here must pin a header whose pattern matches {required} on every port it steals; this session takes some port whole " +
                        "(a port in ports that http_filter.ports does not list)");
                }
            }

            if (RequiredHeaders.Count > 0 && kind == SessionKind.StealUnfiltered)
            {
                return new PolicyRefusal(PolicyRules.RequiredHeader,
                    $"only requests with {string.Join(" and ", RequiredHeaders.Select(h => h.Describe()))} may be stolen here, and this session takes some port whole, " +
                    "whose connections carry no header to check; give it an http_filter for every port it steals");
            }

            // Only the top-level ports name what a session takes (docs/POLICY.md); http_filter.ports only says
            // which of them are filtered, and protected ports are never stolen whatever it says (Apply).
            var explicitPorts = (config.Ports ?? []).Intersect(ProtectedPorts).ToList();
            if (explicitPorts.Count > 0)
            {
                return new PolicyRefusal(PolicyRules.ProtectedPort, $"port(s) {string.Join(", ", explicitPorts)} may never be stolen on this pod; remove them from \"ports\"");
            }
        }

        if (MaxSessionsPerPod is { } max && sessionsNow >= max)
        {
            return new PolicyRefusal(PolicyRules.MaxSessions, $"the pod carries {sessionsNow} session(s), the most allowed here ({max}); try again when one ends");
        }

        return null;
    }

    /// <summary>
    /// The config the session runs with: protected ports withheld from a steal session (a mirror
    /// session may copy them), whatever its ports, ignore_ports and port_mapping say.
    /// </summary>
    public IncomingConfig Apply(IncomingConfig config)
        => config.Mode != IncomingMode.Steal || ProtectedPorts.Count == 0
            ? config
            : config with { WithheldPorts = [.. ProtectedPorts] };

    // Header patterns every match of the rule needs: the rule itself, or members of all_of (any_of pins nothing). A
    // pattern pins its header only when it can match that header's lines alone: ^Name: ... without a top-level
    // alternation ("^X-Dev: a$|." matches every request).
    private static IEnumerable<string> PinnedHeaderPatterns(FilterRuleConfig? rule) => rule switch
    {
        HeaderRuleConfig header when Filtering.FilterPattern.AnchoredHeaderName(header.Pattern) is not null => [header.Pattern],
        CompositeRuleConfig { RequiresAll: true } all => all.Rules.SelectMany(PinnedHeaderPatterns),
        _ => [],
    };
}
