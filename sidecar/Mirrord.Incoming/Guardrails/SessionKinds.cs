using System.Globalization;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Policy;

namespace Mirrord.Incoming.Guardrails;

/// <summary>Names of <see cref="SessionKind"/> and how a session's config is classified.</summary>
public static class SessionKinds
{
    public static string Name(SessionKind kind) => kind switch
    {
        SessionKind.Steal => "steal",
        SessionKind.StealUnfiltered => "steal-unfiltered",
        _ => "mirror",
    };

    public static bool TryParse(string name, out SessionKind kind)
    {
        (var ok, kind) = name switch
        {
            "steal" => (true, SessionKind.Steal),
            "steal-unfiltered" => (true, SessionKind.StealUnfiltered),
            "mirror" => (true, SessionKind.Mirror),
            _ => (false, SessionKind.Mirror),
        };
        return ok;
    }

    /// <summary>
    /// A steal session is unfiltered when it takes some served port whole (<see cref="PortClaims"/>: no
    /// http_filter, or a port listed in <c>ports</c> that <c>http_filter.ports</c> does not list).
    /// Protected ports do not count: they are never stolen.
    /// </summary>
    public static SessionKind Of(IncomingConfig config, IReadOnlyList<int> servedPorts, IReadOnlyList<int> protectedPorts)
    {
        if (config.Mode != IncomingMode.Steal)
        {
            return SessionKind.Mirror;
        }

        return config.HttpFilter is null || servedPorts.Except(protectedPorts).Any(port => PortClaims.For(config, port).Kind == PortClaimKind.WholeConnections)
            ? SessionKind.StealUnfiltered
            : SessionKind.Steal;
    }

    public static string Explain(SessionKind kind) => kind switch
    {
        SessionKind.Steal => "stealing (with a filter)",
        SessionKind.StealUnfiltered => "stealing some port whole, without a filter (no http_filter, or a port in ports that http_filter.ports does not list)",
        _ => "mirroring",
    };

    public static string Duration(TimeSpan span)
        => span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
            : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
            : $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
}
