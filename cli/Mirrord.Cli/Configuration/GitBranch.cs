using System.ComponentModel;
using System.Diagnostics;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// <c>{{ git_branch }}</c> as mirrord finds it (mirrord-config's <c>util::GIT_BRANCH</c>): <c>MIRRORD_BRANCH_NAME</c> when
/// set, else <c>git branch --show-current</c> in the working directory; null without git, outside a repository or on
/// a detached HEAD.
/// </summary>
internal static class GitBranch
{
    public const string EnvironmentVariable = "MIRRORD_BRANCH_NAME";

    public static string? Current(Func<string, string?> environment, string? workingDirectory = null)
    {
        if (environment(EnvironmentVariable) is { Length: > 0 } named)
        {
            return named;
        }

        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["branch", "--show-current"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? string.Empty,
            });
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Trim() is { Length: > 0 } branch ? branch : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}
