using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;
using Mirrord.Tunnel.Probes;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// The pod's own probes (<see cref="AppProbe"/>) always reach the app: a session that would steal one
/// (a whole-port steal, or a filter that happens to match it) gets the rest of the port but not them,
/// so a developer paused at a breakpoint never gets the app restarted by its liveness probe. Mirror
/// sessions still get copies. A port with probes is never taken whole at the connection level: its
/// connections are read as HTTP first, so each request can be told apart.
/// </summary>
internal sealed class ProbeGuard
{
    private readonly AppProbe[] _probes;

    public ProbeGuard(IOptions<SidecarOptions> options) => _probes = [.. options.Value.ProbeList()];

    /// <summary>True when some probe calls this port, so its connections must be read request by request.</summary>
    public bool Covers(int port)
    {
        foreach (var probe in _probes)
        {
            if (probe.Port == port)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when an HTTPS probe calls this port: its TLS must stay with the app unless the sidecar can read inside it.</summary>
    public bool HasHttpsProbe(int port) => _probes.Any(probe => probe.Port == port && probe.Https);

    /// <summary>The probes that call this port, for messages.</summary>
    public IEnumerable<AppProbe> On(int port) => _probes.Where(probe => probe.Port == port);

    /// <summary>Whether this request is one of the pod's probes, as kubelet sends it.</summary>
    public bool IsProbe(int port, HttpContext context)
    {
        if (_probes.Length == 0)
        {
            return false;
        }

        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value + request.QueryString.Value;
        string? userAgent = request.Headers.UserAgent;
        foreach (var probe in _probes)
        {
            if (probe.Matches(port, request.Method, target ?? string.Empty, userAgent))
            {
                return true;
            }
        }

        return false;
    }
}
