using Mirrord.Tunnel.Redirect;

namespace Mirrord.Sidecar.Init;

/// <summary>
/// What <c>mirrord-init</c> does in the pod's network namespace (<see cref="RedirectRules"/>).
/// Without a mesh, inbound TCP for the intercepted ports is redirected in nat PREROUTING;
/// connections made inside the pod (the sidecar's own to 127.0.0.1) never pass it, so nothing
/// loops. Behind a mesh, the mesh proxy's decrypted connections to the app are redirected in nat
/// OUTPUT instead. Safe to run again.
/// </summary>
internal static class RedirectInstaller
{
    /// <summary>Runs the init step; returns the process exit code (0 installed, 1 bad arguments, 2 iptables failed).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (!RedirectSpec.TryParse(args, out var spec, out var problem))
        {
            await error.WriteLineAsync($"mirrord-init: {problem}");
            return 1;
        }

        var failures = new List<string>();
        foreach (var backend in (await IptablesBackend.CandidatesAsync()).Where(b => b.Exists))
        {
            var meshes = MeshChains.Installed(await backend.NatTableAsync());
            var failure = await InstallAsync(backend, spec);
            if (failure is null)
            {
                await output.WriteLineAsync($"mirrord-init: iptables ({backend.Name}) {Summary(spec)}");
                await ReportMeshesAsync(spec, meshes, output, error);
                return 0;
            }

            failures.Add($"{backend.Name}: {failure}");
        }

        await error.WriteLineAsync(failures.Count == 0
            ? "mirrord-init: no iptables found (iptables-nft or iptables-legacy); the sidecar image must carry them"
            : $"mirrord-init: could not install the redirect ({string.Join("; ", failures)}); the container needs NET_ADMIN and NET_RAW");
        return 2;
    }

    private static string Summary(RedirectSpec spec)
    {
        var ports = string.Join(", ", spec.Ports);
        return spec.Mode switch
        {
            RedirectMode.Prerouting => $"redirects TCP ports {ports} to {spec.InboundPort} in chain {RedirectRules.InboundChain} of nat PREROUTING",
            RedirectMode.BehindIstio => $"redirects Envoy's connections to ports {ports} (from 127.0.0.6, or uid {spec.MeshProxyUid} to 127.0.0.1) to {spec.InboundPort} in chain {RedirectRules.OutputChain} of nat OUTPUT{Bypassed(spec)}",
            _ => $"redirects linkerd-proxy's connections (uid {spec.MeshProxyUid}) to ports {ports} to {spec.InboundPort} in chain {RedirectRules.OutputChain} of nat OUTPUT{Bypassed(spec)}",
        };
    }

    private static string Bypassed(RedirectSpec spec)
        => (spec.BypassedPorts.Count > 0 ? $"; ports the mesh does not capture ({string.Join(", ", spec.BypassedPorts)}) in nat PREROUTING" : string.Empty)
           + $"; health port {spec.HealthPort} kept out of the mesh's capture";

    private static async Task ReportMeshesAsync(RedirectSpec spec, IReadOnlyList<(string Mesh, string Chain)> meshes, TextWriter output, TextWriter error)
    {
        if (spec.Mode == RedirectMode.Prerouting)
        {
            foreach (var (mesh, chain) in meshes)
            {
                // Ours was appended after the mesh's jump, so the app still gets what the mesh delivers; but the
                // mesh takes the intercepted ports first, and nothing it decrypts can be stolen.
                await error.WriteLineAsync(
                    $"mirrord-init: warning: {mesh}'s inbound capture ({chain}) is in this pod, but the injector saw no mesh: " +
                    "traffic the mesh captures reaches the app untouched and cannot be stolen; let the webhook inject the pod again (see docs/MESH.md)");
            }

            return;
        }

        var expected = spec.Mode == RedirectMode.BehindIstio ? "Istio" : "Linkerd";
        var found = meshes.FirstOrDefault(m => m.Mesh == expected);
        await output.WriteLineAsync(found.Chain is not null
            ? $"mirrord-init: {expected}'s inbound capture ({found.Chain}) is already installed"
            : $"mirrord-init: {expected}'s inbound capture is not installed yet (its init step runs later, or it was not injected)");
        foreach (var (mesh, chain) in meshes.Where(m => m.Mesh != expected))
        {
            await error.WriteLineAsync($"mirrord-init: warning: {mesh}'s inbound capture ({chain}) is also in this pod; only {expected}'s decrypted traffic is redirected");
        }
    }

    private static async Task<string?> InstallAsync(IptablesBackend backend, RedirectSpec spec)
    {
        foreach (var (chain, rules) in RedirectRules.Chains(spec))
        {
            var (created, createError) = await backend.RunAsync("-w", "-t", "nat", "-N", chain);
            if (created != 0 && !createError.Contains("exists", StringComparison.OrdinalIgnoreCase))
            {
                return createError;
            }

            foreach (var step in rules.Select(rule => (string[])["-w", "-t", "nat", "-A", chain, .. rule]).Prepend(["-w", "-t", "nat", "-F", chain]))
            {
                var (code, message) = await backend.RunAsync(step);
                if (code != 0)
                {
                    return message;
                }
            }
        }

        foreach (var (chain, first, rule) in RedirectRules.Jumps(spec))
        {
            var (present, _) = await backend.RunAsync(["-w", "-t", "nat", "-C", chain, .. rule]);
            if (present == 0)
            {
                continue;
            }

            var (code, message) = await backend.RunAsync(first ? ["-w", "-t", "nat", "-I", chain, "1", .. rule] : ["-w", "-t", "nat", "-A", chain, .. rule]);
            if (code != 0)
            {
                return message;
            }
        }

        return null;
    }
}
