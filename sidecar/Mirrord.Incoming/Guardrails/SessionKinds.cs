using System.Globalization;
using Mirrord.Incoming.Configuration;

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
    /// A steal session is unfiltered when it takes some port whole: it has no http_filter, or it
    /// steals a served port its filter does not cover (mirrord takes such ports whole). Protected
    /// ports do not count: they are never stolen.
    /// </summary>
    public static SessionKind Of(IncomingConfig config, IReadOnlyList<int> servedPorts, IReadOnlyList<int> protectedPorts)
    {
        if (config.Mode != IncomingMode.Steal)
        {
            return SessionKind.Mirror;
        }

        var stolen = (config.Ports ?? servedPorts).Except(config.IgnorePorts).Except(protectedPorts);
        return config.HttpFilter is { } filter && stolen.All(filter.Ports.Contains) ? SessionKind.Steal : SessionKind.StealUnfiltered;
    }

    public static string Explain(SessionKind kind) => kind switch
    {
        SessionKind.Steal => "stealing (with a filter)",
        SessionKind.StealUnfiltered => "stealing without a filter on some port (no http_filter, or a stolen port its ports do not list)",
        _ => "mirroring",
    };

    public static string Duration(TimeSpan span)
        => span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
            : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
            : $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
}
