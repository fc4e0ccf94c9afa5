using System.Diagnostics;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// One of the project's programs started as its own process (<c>dotnet program.dll</c>) with an
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

    /// <param name="assembly">The program's dll, e.g. <c>mirrord-sidecar.dll</c>, next to the test assembly.</param>
    /// <param name="environment">Variables added to the inherited environment.</param>
    /// <param name="asUser">A numeric uid/gid to drop to (root only, via setpriv), to prove the program needs no privileges.</param>
    public static ProgramProcess Start(string assembly, IDictionary<string, string> environment, int? asUser = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var path = Path.Combine(AppContext.BaseDirectory, assembly);
        var start = asUser is { } uid
            ? new ProcessStartInfo("setpriv", [$"--reuid={uid}", $"--regid={uid}", "--clear-groups", dotnet, path])
            : new ProcessStartInfo(dotnet, [path]);
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
