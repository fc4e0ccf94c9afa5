using System.Diagnostics;
using System.Globalization;
using Mirrord.Demo;

namespace Mirrord.EndToEnd.Tests;

/// <summary>A program started for the test in a network namespace, stopped when the test ends.</summary>
internal sealed class BackgroundProgram(Process process) : IDisposable
{
    public static BackgroundProgram StartIn(string networkNamespace, string[] command)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", networkNamespace, .. command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var started = Process.Start(start)!;
        started.OutputDataReceived += (_, _) => { };
        started.ErrorDataReceived += (_, _) => { };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return new BackgroundProgram(started);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }
}

/// <summary>
/// A service of the "cluster" that only the pod reaches: the test app named <c>orders</c> in the pod's client namespace
/// (198.18.0.1, at the other end of the pod's veth), which this machine has no route to.
/// </summary>
internal static class ClusterService
{
    public static async Task<BackgroundProgram> StartAsync(NamespacePod pod, int port)
    {
        var program = BackgroundProgram.StartIn(pod.ClientNamespace.Name,
            [NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll"), "orders", port.ToString(CultureInfo.InvariantCulture), "9091", "5433"]);

        // Asked from its own namespace, so that no capture in the pod sees the check.
        await Testing.Poll.UntilAsync(async () => (await pod.ClientNamespace.RunAsync("curl", "-sf", "-o", "/dev/null", $"http://198.18.0.1:{port}/whoami")).ExitCode == 0, "the cluster's orders service");
        return program;
    }
}
