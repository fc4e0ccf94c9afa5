using System.Diagnostics;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// One of the project's programs started as its own process with an
/// environment of the test's choosing; output is collected for assertions.
/// </summary>
public sealed class ProgramProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ProgramProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the sidecar program as the image runs it (<see cref="Demo.SidecarProgram"/>: the published native executable).</summary>
    /// <param name="environment">Variables added to the inherited environment.</param>
    /// <param name="asUser">A numeric uid/gid to drop to (root only, via setpriv), to prove the program needs no privileges.</param>
    /// <param name="arguments">The program's arguments (none: serve).</param>
    public static ProgramProcess StartSidecar(IDictionary<string, string> environment, int? asUser = null, params string[] arguments)
        => Start([.. Demo.SidecarProgram.Command, .. arguments], environment, asUser);

    /// <param name="command">The program and the arguments it starts with.</param>
    /// <param name="environment">Variables added to the inherited environment.</param>
    /// <param name="asUser">A numeric uid/gid to drop to (root only, via setpriv), to prove the program needs no privileges.</param>
    public static ProgramProcess Start(string[] command, IDictionary<string, string> environment, int? asUser = null)
    {
        var start = asUser is { } uid
            ? new ProcessStartInfo("setpriv", [.. Demo.NamespacePod.AsUser(uid)[1..], .. command])
            : new ProcessStartInfo(command[0], command[1..]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Path.GetTempPath();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ProgramProcess(Process.Start(start)!);
    }

    /// <summary>True when an unprivileged user can read and run the test output (every directory up the path is world-traversable).</summary>
    public static bool IsRunnableByOthers() => Demo.NamespacePod.IsReadableByOthers(AppContext.BaseDirectory);

    /// <summary>Sends SIGTERM, as the kubelet does when a pod stops.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
