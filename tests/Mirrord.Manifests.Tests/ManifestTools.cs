using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Mirrord.Manifests.Tests;

/// <summary>The real tools: <c>kubectl kustomize</c> renders, <c>node tools/*.mjs</c> validates and converts.</summary>
internal static class ManifestTools
{
    public static string Repository => Mirrord.Testing.RepositoryRoot.Path;

    private static string ToolsFolder => Path.Combine(Repository, "tests", "Mirrord.Manifests.Tests", "tools");

    public static async Task<string> KustomizeAsync(string folder)
    {
        var (code, output, error) = await RunAsync("kubectl", null, "kustomize", Path.Combine(Repository, folder));
        Assert.True(code == 0, $"kubectl kustomize {folder} failed ({code}): {error}");
        return output;
    }

    /// <summary>Runs the schema validator; returns its exit code and report.</summary>
    public static async Task<(int ExitCode, string Report)> ValidateAsync(string yaml)
    {
        var (code, output, error) = await RunAsync("node", yaml, Path.Combine(ToolsFolder, "validate.mjs"));
        return (code, output + error);
    }

    public static async Task<IReadOnlyList<JsonObject>> ObjectsAsync(string yaml)
    {
        var (code, output, error) = await RunAsync("node", yaml, Path.Combine(ToolsFolder, "to-json.mjs"));
        Assert.True(code == 0, error);
        return [.. JsonNode.Parse(output)!.AsArray().Select(node => node!.AsObject())];
    }

    private static readonly SemaphoreSlim s_install = new(1, 1);

    /// <summary>Installs the npm checkers from their lock file on first use, so a plain <c>dotnet test</c> works on a fresh machine.</summary>
    public static async Task EnsureToolsAsync()
    {
        Skip.If(Unavailable() is not null, Unavailable());
        await s_install.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(ToolsFolder, "node_modules")))
            {
                return;
            }

            var (code, _, error) = await RunAsync("npm", null, "ci", "--prefix", ToolsFolder, "--no-audit", "--no-fund", "--loglevel=error");
            Assert.True(code == 0, $"npm ci --prefix {ToolsFolder} failed: {error}");
        }
        finally
        {
            s_install.Release();
        }
    }

    /// <summary>Why these tests cannot run here (a tool missing from PATH), or null.</summary>
    public static string? Unavailable()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var missing = new[] { "kubectl", "node", "npm" }.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not on PATH (the manifest tests render with kubectl kustomize and validate with node; .ci/run checks for them)";
    }

    private static async Task<(int, string, string)> RunAsync(string program, string? input, params string[] args)
    {
        Skip.If(Unavailable() is not null, Unavailable());
        if (program == "node")
        {
            await EnsureToolsAsync();
        }

        var start = new ProcessStartInfo(program, args)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
