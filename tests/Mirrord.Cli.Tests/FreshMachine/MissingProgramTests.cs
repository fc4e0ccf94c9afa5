using Mirrord.Cli.Tests.Demo;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.FreshMachine;

/// <summary>
/// The README's two commands on machines that lack what they would use, or whose programs fail: each
/// program is hidden (or made to fail) in a mount namespace of the test's own (<see cref="MachineWithout"/>).
/// </summary>
[Collection(DemoNamespaces.Name)]
public sealed class MissingProgramTests
{
    private const string PermissionDenied = "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)";

    private static readonly string[] s_compilers = ["clang*", "gcc*", "cc", "c++", "g++*", "x86_64-linux-gnu-gcc*", "aarch64-linux-gnu-gcc*"];

    [SkippableFact]
    public async Task Demo_WithoutIptables_TellsTheStoryOnLoopback_AndSaysWhatToInstall()
    {
        Skip.If(MachineWithout.Unavailable() is not null, MachineWithout.Unavailable());

        var (code, output, error) = await new MachineWithout().Hiding("iptables*", "ip6tables*", "xtables*").RunAsync(CliRunner.DemoCommand);

        var result = new CliResult(code, output, error);
        Assert.True(code == 0, result.ToString());
        Assert.StartsWith("mirrord demo on loopback ports (iptables not installed; as root with iproute2 and iptables", result.Lines[0], StringComparison.Ordinal);
        DemoCommandTests.AssertStory(result);
    }

    [SkippableFact]
    public async Task Demo_WhenIptablesFails_NamesTheFailingProgram_AndTellsTheStoryOnLoopback()
    {
        Skip.If(MachineWithout.Unavailable() is not null, MachineWithout.Unavailable());

        var (code, output, error) = await new MachineWithout()
            .Failing("iptables-nft", PermissionDenied)
            .Failing("iptables-legacy", PermissionDenied)
            .RunAsync(CliRunner.DemoCommand);

        var result = new CliResult(code, output, error);
        Assert.True(code == 0, result.ToString());
        var failure = Assert.Single(result.Lines, line => line.StartsWith("The pod in a network namespace could not be built", StringComparison.Ordinal));
        Assert.Contains("`/usr/sbin/iptables-nft -w -t nat -N", failure, StringComparison.Ordinal);
        Assert.Contains("`/usr/sbin/iptables-legacy -w -t nat -N", failure, StringComparison.Ordinal);
        Assert.Contains("Permission denied (you must be root)", failure, StringComparison.Ordinal);
        DemoCommandTests.AssertStory(result);

        // The half-built pod was taken down before the story moved to loopback.
        Assert.DoesNotContain("mirrord-demo", await CliRunner.RunProgramAsync("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SetUp_WithoutRootOrTools_NamesEverySuiteItLeavesOut_AndWhatWouldRunIt()
    {
        Skip.If(MachineWithout.Unavailable() is not null, MachineWithout.Unavailable());

        var (code, output, error) = await new MachineWithout()
            .Hiding([.. s_compilers, "node", "npm", "kubectl", "curl"])
            .RunAsync(["bash", Path.Combine(RepositoryRoot.Path, "build", "setup.sh")], uid: 65532);

        Assert.True(code == 0, $"{output}{error}");
        Assert.Contains("left out on this machine", output, StringComparison.Ordinal);
        Assert.Contains("Mirrord.EndToEnd.Tests, Mirrord.Sidecar.Tests Redirect/ and Load/MemoryBudgetTests, the demo's namespace pod: they need root", output, StringComparison.Ordinal);
        Assert.Contains("Native AOT: the sidecar suites run the framework-dependent build instead", output, StringComparison.Ordinal);
        Assert.Contains("no C compiler driver to link with (clang or gcc): install clang (Debian/Ubuntu: apt-get install clang zlib1g-dev)", output, StringComparison.Ordinal);
        Assert.Contains("Mirrord.Manifests.Tests: node and npm not installed (as root on Debian/Ubuntu, build/setup.sh installs it: nodejs npm)", output, StringComparison.Ordinal);
        Assert.Contains("curl not installed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get:", output + error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Build_WithoutACompilerToLinkWith_PublishesNoNativeSidecar_SaysWhy_AndDoesNotFail()
    {
        Skip.If(MachineWithout.Unavailable() is not null, MachineWithout.Unavailable());
        var output = Directory.CreateTempSubdirectory("mirrord-no-clang-").FullName + "/";
        try
        {
            var project = Path.Combine(RepositoryRoot.Path, "tests", "Mirrord.Cli.Tests", "Mirrord.Cli.Tests.csproj");
            var (code, log, error) = await new MachineWithout().Hiding(s_compilers).RunAsync(
                [CliRunner.DemoCommand[0], "msbuild", project, "-t:PublishNativeSidecar", $"-p:OutDir={output}", "-nologo", "-nodeReuse:false"],
                workingDirectory: RepositoryRoot.Path);

            Assert.True(code == 0, $"{log}{error}");
            Assert.Contains("the Native AOT sidecar is not published (no C compiler driver to link with (clang or gcc)", log, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(output, "native-sidecar", "mirrord-sidecar")));
            Assert.StartsWith("no C compiler driver to link with", await File.ReadAllTextAsync(Path.Combine(output, "native-sidecar", "not-published.txt")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
