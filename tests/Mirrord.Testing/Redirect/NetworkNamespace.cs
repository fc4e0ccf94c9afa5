using System.Diagnostics;

namespace Mirrord.Testing.Redirect;

/// <summary>A fresh Linux network namespace (a pod's network, for the init step), removed on dispose. Needs root and iproute2.</summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var ns = new NetworkNamespace($"mirrord-t-{Guid.NewGuid().ToString("N")[..8]}");
        await RunCheckedAsync("ip", "netns", "add", ns.Name);
        await RunCheckedAsync("ip", "-n", ns.Name, "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs a command inside the namespace.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] command) => RunAsync("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Runs one of the project's programs (<c>dotnet program.dll args</c>) inside the namespace.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunProgramAsync(string assembly, params string[] args)
        => RunAsync([Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, assembly), .. args]);

    public async ValueTask DisposeAsync() => await RunAsync("ip", "netns", "del", Name);

    private static async Task RunCheckedAsync(string program, params string[] args)
    {
        var (code, _, error) = await RunAsync(program, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({code}): {error}");
        }
    }

    private static async Task<(int, string, string)> RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
