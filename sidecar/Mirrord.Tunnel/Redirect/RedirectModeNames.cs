using System.Diagnostics.CodeAnalysis;

namespace Mirrord.Tunnel.Redirect;

/// <summary>
/// The names a redirect mode goes by: in <c>mirrord.dev/status</c> (<see cref="StatusName"/>; a
/// pod injected before meshes were known says <c>iptables</c>), after <c>mirrord-init --behind</c>
/// (<see cref="MeshName"/>), and in what the CLI prints (<see cref="Describe"/>).
/// </summary>
public static class RedirectModeNames
{
    public static string StatusName(this RedirectMode mode) => mode switch
    {
        RedirectMode.BehindIstio => "behind-istio",
        RedirectMode.BehindLinkerd => "behind-linkerd",
        _ => "iptables",
    };

    public static bool TryParseStatusName(string? name, out RedirectMode mode)
    {
        (var known, mode) = name switch
        {
            "iptables" => (true, RedirectMode.Prerouting),
            "behind-istio" => (true, RedirectMode.BehindIstio),
            "behind-linkerd" => (true, RedirectMode.BehindLinkerd),
            _ => (false, RedirectMode.Prerouting),
        };
        return known;
    }

    /// <summary>The mesh's name as <c>--behind</c> takes it; null for <see cref="RedirectMode.Prerouting"/>.</summary>
    public static string? MeshName(this RedirectMode mode) => mode switch
    {
        RedirectMode.BehindIstio => "istio",
        RedirectMode.BehindLinkerd => "linkerd",
        _ => null,
    };

    public static bool TryParseMeshName(string name, [NotNullWhen(true)] out RedirectMode? mode)
    {
        mode = name switch
        {
            "istio" => RedirectMode.BehindIstio,
            "linkerd" => RedirectMode.BehindLinkerd,
            _ => null,
        };
        return mode is not null;
    }

    public static string Describe(this RedirectMode mode) => mode switch
    {
        RedirectMode.BehindIstio => "behind Istio's sidecar: decrypted requests from Envoy (nat OUTPUT)",
        RedirectMode.BehindLinkerd => "behind linkerd-proxy: decrypted requests from the proxy (nat OUTPUT)",
        _ => "no service mesh: inbound connections (nat PREROUTING)",
    };
}
