using System.Globalization;

namespace Mirrord.Sidecar.Init;

/// <summary>
/// What <c>mirrord-init</c> does: in the pod's network namespace, TCP arriving from outside the pod
/// for the intercepted ports is REDIRECTed to the sidecar's inbound port. Only PREROUTING is
/// touched: connections made inside the pod (the sidecar's own to 127.0.0.1, the app's to itself)
/// never pass it, so nothing loops. Safe to run again: the chain is flushed and refilled, the
/// jump added once.
/// </summary>
internal static class RedirectInstaller
{
    public const string Chain = "MIRRORD_INBOUND";

    /// <summary>Runs the init step; returns the process exit code (0 installed, 1 bad arguments, 2 iptables failed).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (!RedirectArguments.TryParse(args, out var parsed, out var problem))
        {
            await error.WriteLineAsync($"mirrord-init: {problem}");
            return 1;
        }

        var failures = new List<string>();
        foreach (var backend in IptablesBackend.Candidates().Where(b => b.Exists))
        {
            var failure = await InstallAsync(backend, parsed);
            if (failure is null)
            {
                await output.WriteLineAsync(
                    $"mirrord-init: iptables ({backend.Name}) redirects TCP ports {string.Join(", ", parsed.Ports)} to {parsed.InboundPort} in chain {Chain} of nat PREROUTING");
                return 0;
            }

            failures.Add($"{backend.Name}: {failure}");
        }

        await error.WriteLineAsync(failures.Count == 0
            ? "mirrord-init: no iptables found (iptables-nft or iptables-legacy); the sidecar image must carry them"
            : $"mirrord-init: could not install the redirect ({string.Join("; ", failures)}); the container needs NET_ADMIN and NET_RAW");
        return 2;
    }

    private static async Task<string?> InstallAsync(IptablesBackend backend, RedirectArguments arguments)
    {
        var (created, createError) = await backend.RunAsync("-w", "-t", "nat", "-N", Chain);
        if (created != 0 && !createError.Contains("exists", StringComparison.OrdinalIgnoreCase))
        {
            return createError;
        }

        var steps = new List<string[]> { new[] { "-w", "-t", "nat", "-F", Chain } };
        steps.AddRange(arguments.Ports.Select(port => new[]
        {
            "-w", "-t", "nat", "-A", Chain, "-p", "tcp", "--dport", port.ToString(CultureInfo.InvariantCulture),
            "-j", "REDIRECT", "--to-ports", arguments.InboundPort.ToString(CultureInfo.InvariantCulture),
        }));
        foreach (var step in steps)
        {
            var (code, message) = await backend.RunAsync(step);
            if (code != 0)
            {
                return message;
            }
        }

        var (present, _) = await backend.RunAsync("-w", "-t", "nat", "-C", "PREROUTING", "-p", "tcp", "-j", Chain);
        if (present != 0)
        {
            var (code, message) = await backend.RunAsync("-w", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", Chain);
            if (code != 0)
            {
                return message;
            }
        }

        return null;
    }
}
