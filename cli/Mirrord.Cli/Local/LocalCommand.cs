using System.ComponentModel;
using System.Diagnostics;

namespace Mirrord.Cli.Local;

/// <summary>
/// The process named after <c>--</c>: started before the session registers, sharing the terminal;
/// when it exits the session ends, and when the session ends first it is stopped.
/// </summary>
internal sealed partial class LocalCommand : IAsyncDisposable
{
    private readonly Process _process;

    private LocalCommand(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync().ContinueWith(_ => process.ExitCode, TaskScheduler.Default);
    }

    public Task<int> Exited { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts the command, with <paramref name="environment"/> added to (or, where a value is null, removed from) this process's; the error names it when it cannot be started.</summary>
    public static LocalCommand Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(command[0], command.Skip(1)) { UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        try
        {
            return new LocalCommand(Process.Start(start) ?? throw new InvalidOperationException("no process was started"));
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new LocalCommandException($"cannot start the local command \"{command[0]}\": {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Passes Ctrl-C on: SIGINT to the command on Linux and macOS (a terminal sends it to the whole foreground group
    /// anyway; a supervisor that signals only the CLI does not). On Windows the console delivers Ctrl-C to every
    /// process attached to it, the command included.
    /// </summary>
    public void Interrupt()
    {
        if (!_process.HasExited && !OperatingSystem.IsWindows())
        {
            _ = SendSignal(_process.Id, 2);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
