using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mirrord.Tunnel.Redirect;

/// <summary>
/// What <c>mirrord-init</c> installs, as the injector writes it into the container's arguments and
/// the init step reads it back: <c>--ports 8080,9090 --inbound-port 15080</c>, and behind a mesh
/// <c>--behind istio --mesh-proxy-uid 1337 --mesh-bypassed-ports 9090 --health-port 15082</c>.
/// </summary>
/// <param name="Ports">The intercepted container ports.</param>
/// <param name="InboundPort">The sidecar's inbound listener.</param>
/// <param name="Mode">Where the redirect sits relative to the pod's mesh.</param>
/// <param name="MeshProxyUid">The mesh proxy's uid: its connections to the app are the ones redirected.</param>
/// <param name="MeshBypassedPorts">Intercepted ports the mesh does not capture: redirected in PREROUTING as without a mesh.</param>
/// <param name="HealthPort">Behind a mesh, the sidecar's health port, kept out of the mesh's inbound capture so kubelet's probes reach it before the mesh proxy runs.</param>
public sealed record RedirectSpec(
    IReadOnlyList<int> Ports,
    int InboundPort,
    RedirectMode Mode = RedirectMode.Prerouting,
    int? MeshProxyUid = null,
    IReadOnlyList<int>? MeshBypassedPorts = null,
    int? HealthPort = null)
{
    public IReadOnlyList<int> BypassedPorts => MeshBypassedPorts ?? [];

    /// <summary>The ports nat PREROUTING redirects: all of them without a mesh, the ones it does not capture behind one.</summary>
    public IReadOnlyList<int> PreroutingPorts => Mode == RedirectMode.Prerouting ? Ports : BypassedPorts;

    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { "--ports", PortList(Ports), "--inbound-port", Invariant(InboundPort) };
        if (Mode.MeshName() is { } mesh)
        {
            args.AddRange(["--behind", mesh, "--mesh-proxy-uid", Invariant(MeshProxyUid ?? 0)]);
            if (BypassedPorts.Count > 0)
            {
                args.AddRange(["--mesh-bypassed-ports", PortList(BypassedPorts)]);
            }

            args.AddRange(["--health-port", Invariant(HealthPort ?? SidecarPorts.Health)]);
        }

        return args;
    }

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out RedirectSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        int[]? ports = null;
        int[]? bypassed = null;
        int inbound = SidecarPorts.Inbound;
        int? uid = null;
        int? health = null;
        RedirectMode? mode = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is not ("--ports" or "--inbound-port" or "--behind" or "--mesh-proxy-uid" or "--mesh-bypassed-ports" or "--health-port"))
            {
                error = $"unknown argument \"{flag}\"; usage: init --ports 8080[,9090...] [--inbound-port 15080] [--behind istio|linkerd --mesh-proxy-uid UID [--mesh-bypassed-ports P,...] [--health-port 15082]]";
                return false;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{flag} needs a value";
                return false;
            }

            var value = args[++i];
            error = flag switch
            {
                "--ports" => TryParsePorts(flag, value, out ports),
                "--mesh-bypassed-ports" => TryParsePorts(flag, value, out bypassed),
                "--inbound-port" => TryParsePort(flag, value, out inbound),
                "--health-port" => TryParsePort(flag, value, out var healthPort) ?? Set(out health, healthPort),
                "--mesh-proxy-uid" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    ? Set(out uid, number)
                    : $"--mesh-proxy-uid: \"{value}\" is not a user id",
                _ => RedirectModeNames.TryParseMeshName(value, out mode) ? null : $"--behind: \"{value}\" is not a mesh mirrord-init can sit behind (istio, linkerd)",
            };
            if (error is not null)
            {
                return false;
            }
        }

        error = Problem(ports, inbound, mode, uid, bypassed, health);
        if (error is not null)
        {
            return false;
        }

        spec = new RedirectSpec([.. ports!.Distinct().Order()], inbound, mode ?? RedirectMode.Prerouting, uid, bypassed is null ? null : [.. bypassed.Distinct().Order()], health);
        return true;
    }

    private static string? Problem(int[]? ports, int inbound, RedirectMode? mode, int? uid, int[]? bypassed, int? health)
    {
        if (ports is not { Length: > 0 })
        {
            return "--ports is required: the container ports to redirect";
        }

        if (ports.Contains(inbound))
        {
            return $"--ports: {inbound} is the inbound port itself";
        }

        if (mode is null)
        {
            return uid is not null || bypassed is not null || health is not null ? "--mesh-proxy-uid, --mesh-bypassed-ports and --health-port need --behind" : null;
        }

        if (uid is null)
        {
            return "--behind needs --mesh-proxy-uid: the uid whose connections to the app are redirected";
        }

        return bypassed?.FirstOrDefault(p => !ports.Contains(p)) is { } stray and not 0
            ? $"--mesh-bypassed-ports: {stray} is not one of --ports"
            : null;
    }

    private static string? TryParsePorts(string flag, string value, out int[]? ports)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        ports = new int[items.Length];
        for (var p = 0; p < items.Length; p++)
        {
            if (TryParsePort(flag, items[p], out ports[p]) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? TryParsePort(string flag, string value, out int port)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535
            ? null
            : $"{flag}: \"{value}\" is not a port (1-65535)";

    private static string? Set<T>(out T? target, T value)
        where T : struct
    {
        target = value;
        return null;
    }

    private static string PortList(IEnumerable<int> ports) => string.Join(",", ports.Select(Invariant));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
