using System.Diagnostics;

namespace Mirrord.Cli.Tests;

/// <summary>Runs the built mirrord-cli as a separate process, as a user's shell would.</summary>
public static class CliRunner
{
    private static readonly string s_cliPath = Path.Combine(AppContext.BaseDirectory, "mirrord-cli.dll");
    private static readonly string s_demoPath = Path.Combine(AppContext.BaseDirectory, "mirrord-demo.dll");

    public static Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs the demo program (<c>mirrord-demo</c>), as the README's first command does.</summary>
    public static Task<CliResult> RunDemoAsync(params string[] args) => RunWithInputAsync(null, args, null, s_demoPath);

    /// <summary>The command that runs the demo program, before its arguments.</summary>
    public static string[] DemoCommand => [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", s_demoPath];

    /// <summary>Runs the CLI with <paramref name="environment"/> added to its environment.</summary>
    public static Task<CliResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
        => RunWithInputAsync(null, args, environment);

    /// <summary>Runs the CLI in <paramref name="workingDirectory"/>, with <paramref name="environment"/> added to its environment.</summary>
    public static Task<CliResult> RunInAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
        => RunWithInputAsync(null, args, environment, workingDirectory: workingDirectory);

    /// <summary>Runs the CLI with <paramref name="input"/> on its standard input (closed after it).</summary>
    public static Task<CliResult> RunWithInputAsync(string? input, params string[] args) => RunWithInputAsync(input, args, null);

    private static async Task<CliResult> RunWithInputAsync(
        string? input, string[] args, IReadOnlyDictionary<string, string>? environment, string? program = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(program ?? s_cliPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs another program and returns its standard output.</summary>
    public static async Task<string> RunProgramAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>Writes a config to a temporary file and returns its path.</summary>
    public static string WriteConfig(string json, string extension = ".json")
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, json);
        return path;
    }

    public static string Seed(string file) => Path.Combine(AppContext.BaseDirectory, "testassets", "seed", file);
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
