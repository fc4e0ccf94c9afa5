using System.Diagnostics;

namespace Mirrord.Manifests.Tests;

/// <summary>
/// The images without a Docker engine: the Dockerfile passes a real linter, and build/publish.sh
/// (which the Dockerfile's build stage runs) produces the three entry points, which start, and the
/// single-file CLIs users download.
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
        var unavailable = await ManifestTools.PublishUnavailableAsync();
        Skip.If(unavailable is not null, unavailable);
        var output = Directory.CreateTempSubdirectory("mirrord-publish-").FullName;
        try
        {
            var (published, log) = await RunAsync(Path.Combine(ManifestTools.Repository, "build", "publish.sh"), output);
            Assert.True(published == 0, log);

            var (webhookCode, webhookText) = await RunAsync("dotnet", Path.Combine(output, "webhook", "mirrord-webhook.dll"), "--version");
            Assert.Equal(0, webhookCode);
            Assert.Equal("mirrord-webhook 0.1.0", webhookText.Trim());

            // The sidecar image runs the native executable directly (no dotnet in it), as both containers.
            var sidecar = Path.Combine(output, "sidecar", "mirrord-sidecar");
            var (sidecarCode, sidecarText) = await RunAsync(sidecar, "--version");
            Assert.Equal(0, sidecarCode);
            Assert.Equal("mirrord-sidecar 0.1.0", sidecarText.Trim());
            Assert.False(File.Exists(Path.Combine(output, "sidecar", "mirrord-sidecar.dll")), "the sidecar was published framework-dependent");

            var (cliCode, cliText) = await RunAsync("dotnet", Path.Combine(output, "cli", "mirrord-cli.dll"), "--help");
            Assert.Equal(0, cliCode);
            Assert.Contains("connect", cliText, StringComparison.Ordinal);
            var (initCode, initText) = await RunAsync(sidecar, "init");
            Assert.Equal(1, initCode);
            Assert.Contains("--ports is required", initText, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Publish_SingleFileClis_OneFilePerPlatform_AndThisPlatformsRuns()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "build/publish.sh publishes the images' Linux programs on Linux");
        var output = Directory.CreateTempSubdirectory("mirrord-cli-files-").FullName;
        try
        {
            var (published, log) = await RunAsync(Path.Combine(ManifestTools.Repository, "build", "publish.sh"), output, "cli-single-file");
            Assert.True(published == 0, log);

            // What a user downloads is one file; the magic numbers say which platform's loader takes it.
            foreach (var (rid, file, magic) in new[]
            {
                ("linux-x64", "mirrord-cli", "\u007FELF"u8.ToArray()),
                ("linux-arm64", "mirrord-cli", "\u007FELF"u8.ToArray()),
                ("osx-arm64", "mirrord-cli", new byte[] { 0xCF, 0xFA, 0xED, 0xFE }),
                ("win-x64", "mirrord-cli.exe", "MZ"u8.ToArray()),
            })
            {
                var folder = Path.Combine(output, "cli-single-file", rid);
                Assert.Equal([file], Directory.GetFiles(folder).Select(Path.GetFileName));
                var header = new byte[magic.Length];
                await using (var stream = File.OpenRead(Path.Combine(folder, file)))
                {
                    await stream.ReadExactlyAsync(header);
                }

                Assert.Equal(magic, header);
            }

            var thisPlatform = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            var (code, text) = await RunAsync(Path.Combine(output, "cli-single-file", thisPlatform, "mirrord-cli"), "--version");
            Assert.Equal(0, code);
            Assert.StartsWith("0.1.0", text.Trim(), StringComparison.Ordinal);
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
