using System.Diagnostics;
using Mirrord.Tunnel;

namespace Mirrord.Testing.Kubernetes;

/// <summary>
/// What the kubelet runs for an exec into a pod's <c>mirrord-sidecar</c> container, for pods whose sidecar
/// runs on this machine: the sidecar's own executable (the image's, <see cref="Demo.SidecarProgram"/>) with the
/// container's environment, which names the administration socket. Anything else is what a container
/// runtime answers for a command the image does not have.
/// </summary>
public static class SidecarContainerExec
{
    public static async Task<ExecOutcome> RunAsync(string container, IReadOnlyList<string> command, string adminSocket)
    {
        if (container != Injection.PodAnnotations.SidecarContainer || command.Count == 0 || command[0] != SidecarEnvironment.Executable)
        {
            return new ExecOutcome(127, string.Empty, $"exec: \"{(command.Count > 0 ? command[0] : string.Empty)}\": executable file not found in $PATH");
        }

        var program = Demo.SidecarProgram.Command;
        var start = new ProcessStartInfo(program[0], [.. program[1..], .. command.Skip(1)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment[SidecarEnvironment.AdminSocket] = adminSocket;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ExecOutcome(process.ExitCode, await output, await error);
    }
}
