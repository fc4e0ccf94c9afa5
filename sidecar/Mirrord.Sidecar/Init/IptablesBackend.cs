using System.Diagnostics;

namespace Mirrord.Sidecar.Init;

/// <summary>
/// One iptables flavour (nft or legacy). Nodes differ: a pod's network namespace must be
/// programmed with the kernel interface the node supports, so each flavour is tried in turn.
/// </summary>
internal sealed record IptablesBackend(string Name, string Iptables, string Save)
{
    public static IReadOnlyList<IptablesBackend> Candidates()
    {
        var nft = new IptablesBackend("nft", Find("iptables-nft"), Find("iptables-nft-save"));
        var legacy = new IptablesBackend("legacy", Find("iptables-legacy"), Find("iptables-legacy-save"));

        // Rules already present in one flavour (another tool's, or ours from a previous start) decide: mixing both confuses the kernel's view.
        return legacy.HasRules() && !nft.HasRules() ? [legacy, nft] : [nft, legacy];
    }

    public async Task<(int ExitCode, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Iptables, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Iptables}");
        var error = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, error.Trim());
    }

    public bool Exists => File.Exists(Iptables);

    /// <summary>The nat table as <c>iptables-save</c> prints it; empty when it cannot be read.</summary>
    public async Task<string> NatTableAsync()
    {
        try
        {
            var start = new ProcessStartInfo(Save, ["-t", "nat"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? output : string.Empty;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private bool HasRules()
    {
        if (!File.Exists(Save))
        {
            return false;
        }

        try
        {
            var start = new ProcessStartInfo(Save) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n').Any(line => line.StartsWith("-A ", StringComparison.Ordinal));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static readonly string[] s_directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private static string Find(string program)
        => s_directories.Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists) ?? program;
}
