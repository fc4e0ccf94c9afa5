using System.Diagnostics;

namespace Mirrord.Sidecar.Init;

/// <summary>
/// One iptables flavour (nft or legacy). Nodes differ: a pod's network namespace must be
/// programmed with the kernel interface the node supports, so each flavour is tried in turn.
/// </summary>
internal sealed record IptablesBackend(string Name, string Iptables, string Save)
{
    public static async Task<IReadOnlyList<IptablesBackend>> CandidatesAsync()
    {
        var nft = new IptablesBackend("nft", Find("iptables-nft"), Find("iptables-nft-save"));
        var legacy = new IptablesBackend("legacy", Find("iptables-legacy"), Find("iptables-legacy-save"));

        // Rules already present in one flavour (another tool's, or ours from a previous start) decide: mixing both confuses the kernel's view.
        return await legacy.HasRulesAsync() && !await nft.HasRulesAsync() ? [legacy, nft] : [nft, legacy];
    }

    /// <summary>Runs iptables; on failure the error names the command that failed, with what it said.</summary>
    public async Task<(int ExitCode, string Error)> RunAsync(params string[] arguments)
    {
        var (code, _, error) = await RunProcessAsync(Iptables, arguments);
        return (code, code == 0 ? error.Trim() : $"`{Iptables} {string.Join(' ', arguments)}` exited {code}: {error.Trim()}");
    }

    public bool Exists => File.Exists(Iptables);

    /// <summary>The nat table as <c>iptables-save</c> prints it; empty when it cannot be read.</summary>
    public async Task<string> NatTableAsync()
    {
        try
        {
            var (code, output, _) = await RunProcessAsync(Save, ["-t", "nat"]);
            return code == 0 ? output : string.Empty;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private async Task<bool> HasRulesAsync()
    {
        if (!File.Exists(Save))
        {
            return false;
        }

        try
        {
            var (_, output, _) = await RunProcessAsync(Save, []);
            return output.Split('\n').Any(line => line.StartsWith("-A ", StringComparison.Ordinal));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs a program to its end, reading its output and its errors at the same time (either may fill its pipe).</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static readonly string[] s_directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private static string Find(string program)
        => s_directories.Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists) ?? program;
}
