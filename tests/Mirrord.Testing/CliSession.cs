using Mirrord.Cli;

namespace Mirrord.Testing;

/// <summary>
/// <c>mirrord-cli connect</c> running in-process against a sidecar, as a developer runs it.
/// <see cref="StopAsync"/> is Ctrl-C (the command's cancellation); output lines can be awaited.
/// </summary>
public sealed class CliSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _ctrlC = new();
    private readonly Logging.LineRecorder _output = new();
    private readonly Task<int> _run;

    /// <summary>Starts the CLI with exactly these arguments, without waiting for anything.</summary>
    public CliSession(string[] args)
    {
        Args = args;
        _run = Task.Run(() => CliApplication.RunAsync(args, _output, _output, _ctrlC.Token));
    }

    public string[] Args { get; }

    public IReadOnlyList<string> Lines => _output.Lines;

    public Task<int> Exited => _run;

    /// <summary>Starts <c>connect</c> and waits until the session is registered (or the command fails).</summary>
    public static Task<CliSession> ConnectAsync(SidecarHost sidecar, params string[] extraArgs)
        => StartAsync(["connect", "--sidecar-address", sidecar.SessionAddress, .. extraArgs], registrations: 1);

    /// <summary>Starts the CLI and waits until it has registered <paramref name="registrations"/> sessions (one per pod).</summary>
    public static async Task<CliSession> StartAsync(string[] args, int registrations)
    {
        var session = new CliSession(args);
        var registered = session.WaitForLineAsync(_ => session.Lines.Count(line => line.Contains("registered on pod", StringComparison.Ordinal)) >= registrations);
        var finished = await Task.WhenAny(registered, session._run, Task.Delay(TimeSpan.FromSeconds(30)));
        if (finished != registered)
        {
            await session.DisposeAsync();
            throw new InvalidOperationException($"connect did not register {registrations} session(s):\n{string.Join("\n", session.Lines)}");
        }

        return session;
    }

    public Task WaitForLineAsync(Func<string, bool> predicate) => _output.WaitForAsync(predicate);

    /// <summary>Waits for a line containing <paramref name="text"/>; on timeout the exception carries everything printed.</summary>
    public async Task ExpectLineAsync(string text, int count = 1)
    {
        try
        {
            await WaitForLineAsync(_ => Lines.Count(line => line.Contains(text, StringComparison.Ordinal)) >= count).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line containing \"{text}\" (x{count}) in:\n{string.Join("\n", Lines)}");
        }
    }

    public async Task<int> StopAsync()
    {
        await _ctrlC.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _ctrlC.Dispose();
    }
}
