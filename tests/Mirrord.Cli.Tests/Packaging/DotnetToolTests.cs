using System.Diagnostics;
using System.Reflection;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Packaging;

/// <summary>The CLI as .NET users install it: a tool package, installed globally from a local feed.</summary>
public sealed class DotnetToolTests
{
    [Fact]
    public async Task PackedCli_InstallsAsAGlobalTool_AndAnswersVersion()
    {
        var scratch = Directory.CreateTempSubdirectory("mirrord-tool-").FullName;
        try
        {
            var feed = Path.Combine(scratch, "feed");
            var home = Path.Combine(scratch, "home");
            Directory.CreateDirectory(home);

            // Release, so the test's own Debug build of the CLI is left alone.
            var pack = await RunAsync(home, "dotnet", "pack", Path.Combine(RepositoryRoot.Path, "cli", "Mirrord.Cli", "Mirrord.Cli.csproj"), "-c", "Release", "-o", feed, "--nologo");
            Assert.True(pack.Exit == 0, pack.Output);
            var install = await RunAsync(home, "dotnet", "tool", "install", "--global", "--add-source", feed, "mirrord-cli");
            Assert.True(install.Exit == 0, install.Output);

            var version = await RunAsync(home, Path.Combine(home, ".dotnet", "tools", "mirrord-cli"), "--version");

            Assert.Equal(0, version.Exit);
            var expected = typeof(Cli.ExitCodes).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
            Assert.StartsWith(expected, version.Output.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Runs a program with <paramref name="home"/> as the .NET CLI's home, so a global tool lands there and not in the user's.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(string home, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_HOME"] = home;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await output + await error);
    }
}
