using Microsoft.Extensions.Options;

namespace Mirrord.Hosting;

/// <summary>
/// How the servers stop on settings they refuse: each problem on its own line naming the setting,
/// and exit code 2, instead of an unhandled exception that aborts the process with a stack trace.
/// </summary>
public static class SettingsCheck
{
    /// <summary>The exit code of a server that refused its settings.</summary>
    public const int InvalidSettings = 2;

    /// <summary>Runs the server; returns 0 when it stopped, <see cref="InvalidSettings"/> when its settings were refused.</summary>
    public static async Task<int> RunAsync(string program, Func<Task> run, TextWriter error)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                error.WriteLine($"{program}: error: {failure}");
            }

            error.WriteLine($"{program}: not started: fix the setting(s) above");
            return InvalidSettings;
        }
    }
}
