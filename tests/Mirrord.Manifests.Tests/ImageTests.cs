using System.Diagnostics;

namespace Mirrord.Manifests.Tests;

/// <summary>
/// The images without a Docker engine: the Dockerfile passes a real linter, and build/publish.sh
/// (which the Dockerfile's build stage runs) produces the three entry points, which start.
/// </summary>
public sealed class ImageTests
{
    [SkippableFact]
    public async Task Dockerfile_PassesTheLinter()
    {
        await ManifestTools.EnsureToolsAsync();
        var (code, output) = await RunAsync(Path.Combine(ManifestTools.Repository, "tests", "Mirrord.Manifests.Tests", "tools", "node_modules", ".bin", "dockerfilelint"),
            Path.Combine(ManifestTools.Repository, "Dockerfile"));

        Assert.True(code == 0, output);
    }

    [SkippableFact]
    public async Task Dockerfile_HasATargetPerProgram_RunningAsNonRoot()
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(ManifestTools.Repository, "Dockerfile"));

        var targets = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1]).ToList();
        Assert.Equal(["build", "webhook", "sidecar", "cli"], targets);
        Assert.Equal(3, lines.Count(l => l == "USER 65532:65532"));
        Assert.Contains("RUN ./build/publish.sh /out", lines);
        Assert.Contains(lines, l => l.Contains("iptables", StringComparison.Ordinal) && l.Contains("apt-get install", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Publish_ProducesEntryPointsThatStart()
    {
        var output = Directory.CreateTempSubdirectory("mirrord-publish-").FullName;
        try
        {
            var (published, log) = await RunAsync(Path.Combine(ManifestTools.Repository, "build", "publish.sh"), output);
            Assert.True(published == 0, log);

            foreach (var (program, expected) in new[] { ("webhook/mirrord-webhook.dll", "mirrord-webhook 0.1.0"), ("sidecar/mirrord-sidecar.dll", "mirrord-sidecar 0.1.0") })
            {
                var (code, text) = await RunAsync("dotnet", Path.Combine(output, program), "--version");
                Assert.Equal(0, code);
                Assert.Equal(expected, text.Trim());
            }

            var (cliCode, cliText) = await RunAsync("dotnet", Path.Combine(output, "cli", "mirrord-cli.dll"), "--help");
            Assert.Equal(0, cliCode);
            Assert.Contains("connect", cliText, StringComparison.Ordinal);
            var (initCode, initText) = await RunAsync("dotnet", Path.Combine(output, "sidecar", "mirrord-sidecar.dll"), "init");
            Assert.Equal(1, initCode);
            Assert.Contains("--ports is required", initText, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
