using System.Runtime.InteropServices;

namespace Mirrord.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as the CLI answers them: the first asks the running command to finish (connect unregisters,
/// exec passes the signal on and waits for the developer's command, whose exit code the CLI then exits with); a second
/// one ends the CLI at once, as the signal's default would. The command decides its own exit code: a library timeout
/// that answers 130 for it would hide the code of the developer's command.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    private TerminationSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first Ctrl-C or SIGTERM.</summary>
    public CancellationToken Token => _requested.Token;

    public static TerminationSignals Register() => new();

    private void OnSignal(PosixSignalContext context)
    {
        // Cancelling the default keeps the process alive for a graceful end; a repeated signal is let through.
        context.Cancel = Interlocked.Increment(ref _received) == 1;
        if (context.Cancel)
        {
            _requested.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _requested.Dispose();
    }
}
