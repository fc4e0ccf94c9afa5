using System.CommandLine;
using Mirrord.Cli.Commands;

namespace Mirrord.Cli;

/// <summary>Builds the command tree and runs it against the given output streams.</summary>
internal static class CliApplication
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter(level => level >= LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

        var root = new RootCommand("mirrord-cli: steal or mirror a Kubernetes service's traffic to your laptop, filtered per HTTP request")
        {
            ConfigCheckCommand.Create(output, error),
            FilterCheckCommand.Create(output, error, loggerFactory),
            ConnectCommand.Create(output, error),
            ExecCommand.Create(output, error),
            EnvCommand.Create(output, error),
            StatusCommand.Create(output, error),
            SessionsCommand.Create(output, error),
            InjectCommand.Create(Console.In, output, error),
            CheckInjectCommand.Create(Console.In, output, error),
        };

        var parse = root.Parse(args);
        // Ctrl-C and SIGTERM arrive through the caller's token (TerminationSignals): the library's own handling would
        // answer 130 for a command still finishing, where exec must exit with the code of the developer's command.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }
}
