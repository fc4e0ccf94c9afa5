using System.ComponentModel;
using System.Diagnostics;

namespace Mirrord.Cli.Local;

/// <summary>
/// The process named after <c>--</c>: started before the session registers, sharing the terminal;
/// when it exits the session ends, and when the session ends first it is stopped.
/// </summary>
internal sealed class LocalCommand : IAsyncDisposable
{
    private readonly Process _process;

    private LocalCommand(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync().ContinueWith(_ => process.ExitCode, TaskScheduler.Default);
    }

    public Task<int> Exited { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts the command; the error names it when it cannot be started.</summary>
    public static LocalCommand Start(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0], command.Skip(1)) { UseShellExecute = false };
        try
        {
            return new LocalCommand(Process.Start(start) ?? throw new InvalidOperationException("no process was started"));
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new LocalCommandException($"cannot start the local command \"{command[0]}\": {ex.Message}", ex);
        }
    }

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
