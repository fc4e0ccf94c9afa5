namespace Mirrord.Incoming.Policy;

/// <summary>Why a session took or left a request; <see cref="TrafficDecision.Explain"/> turns it into a sentence.</summary>
public enum DecisionReason
{
    /// <summary><c>mode</c> is <c>off</c>.</summary>
    ModeOff,

    /// <summary>The port is listed in <c>ignore_ports</c>.</summary>
    PortIgnored,

    /// <summary>The local port <c>port_mapping</c> maps the port to is listed in <c>ignore_ports</c>.</summary>
    LocalPortIgnored,

    /// <summary>The pod's policy protects the port from steal sessions.</summary>
    PortProtected,

    /// <summary><c>ports</c> is set and does not list the port.</summary>
    PortNotListed,

    /// <summary>No <c>http_filter</c>: the whole port is taken.</summary>
    NoFilter,

    /// <summary>A filter is set, the port is not in <c>http_filter.ports</c> but the top-level <c>ports</c> lists it: taken whole, unfiltered.</summary>
    PortListedUnfiltered,

    /// <summary>A filter is set and neither <c>http_filter.ports</c> nor <c>ports</c> lists the port: the session leaves it alone.</summary>
    PortOutsideFilter,

    /// <summary>The port is in <c>http_filter.ports</c>: each request is filtered.</summary>
    PortFiltered,

    /// <summary>The filter matched the request.</summary>
    FilterMatched,

    /// <summary>The filter did not match the request.</summary>
    FilterNotMatched,
}
