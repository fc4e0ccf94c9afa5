using System.Diagnostics;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// Runs a command as on a machine that lacks some programs, or whose programs fail: in a mount namespace of its
/// own (<c>unshare --mount</c>), <c>/usr/bin</c> and <c>/usr/sbin</c> are replaced by folders of links to what they
/// held, without the hidden programs, and with a failing script in place of each failing one. Nothing outside the
/// command sees the change (Debian's <c>/bin</c> and <c>/sbin</c> are links to them), and it ends with the command.
/// </summary>
public sealed class MachineWithout
{
    private static readonly string[] s_folders = ["/usr/bin", "/usr/sbin"];

    private readonly List<string> _hidden = [];
    private readonly Dictionary<string, string> _failing = [];

    /// <summary>Why the tests that use this cannot run here, or null.</summary>
    public static string? Unavailable()
        => !OperatingSystem.IsLinux() || Environment.UserName != "root" ? "hiding programs takes a mount namespace: Linux, as root"
            : !File.Exists("/usr/bin/unshare") ? "unshare (util-linux) not installed"
            : null;

    /// <summary>Hides programs by name (a shell pattern such as <c>iptables*</c> hides each that matches).</summary>
    public MachineWithout Hiding(params string[] programs)
    {
        _hidden.AddRange(programs.Select(Checked));
        return this;
    }

    /// <summary>Puts a program that prints <paramref name="message"/> on stderr and exits 4 in place of <paramref name="program"/>.</summary>
    public MachineWithout Failing(string program, string message)
    {
        _failing[Checked(program)] = message;
        return this;
    }

    /// <summary>Runs <paramref name="command"/> on that machine, optionally as <paramref name="uid"/>; returns its exit code and what it wrote.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] command, int? uid = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        string[] user = uid is { } id ? ["setpriv", $"--reuid={id}", $"--regid={id}", "--clear-groups"] : [];
        var start = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c", Script(), "sh", .. user, .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start unshare");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not end: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    private string Script()
    {
        // One folder for every run: each run's mounts live in its own namespace, so runs at once do not meet.
        var script = new StringBuilder("set -e\nkept=/tmp/mirrord-machine-without\n");
        foreach (var folder in s_folders)
        {
            // The originals stay reachable under $kept, where the links point; ln is run from there once the folder is covered.
            script.Append(
                $"""
                mkdir -p "$kept{folder}"
                mount --bind {folder} "$kept{folder}"
                mount -t tmpfs tmpfs {folder}
                "$kept/usr/bin/ln" -s "$kept{folder}"/* {folder}/

                """);
            foreach (var hidden in _hidden)
            {
                script.Append($"\"$kept/usr/bin/rm\" -f {folder}/{hidden}\n");
            }
        }

        foreach (var (program, message) in _failing)
        {
            var quoted = message.Replace("'", "'\\''", StringComparison.Ordinal);
            script.Append($"\"$kept/usr/bin/rm\" -f /usr/sbin/{program} /usr/bin/{program}\n");
            script.Append($"printf '#!/bin/sh\\necho \"%s\" >&2\\nexit 4\\n' '{quoted}' > /usr/sbin/{program}\n");
            script.Append($"\"$kept/usr/bin/chmod\" 755 /usr/sbin/{program}\n");
        }

        script.Append("exec \"$@\"\n");
        return script.ToString();
    }

    private static string Checked(string program)
        => program.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '*')
            ? program
            : throw new ArgumentException($"not a program name: {program}", nameof(program));
}
