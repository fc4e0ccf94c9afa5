using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Policy;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>filter-check</c>: says what a session with this config would do with one request, and
/// which rule decided, using the same engine as the sidecar.
/// </summary>
internal static class FilterCheckCommand
{
    public static Command Create(TextWriter output, TextWriter error, ILoggerFactory loggerFactory)
    {
        var configFile = Options.ConfigFile();
        var port = Options.Port();
        var method = Options.Method();
        var path = Options.RequestPath();
        var header = Options.Header();
        var body = Options.Body();
        var command = new Command("filter-check", "Print steal, mirror or pass for a request, and the rule that decided")
        {
            configFile, port, method, path, header, body,
        };

        command.SetAction(parse =>
        {
            var portValue = parse.GetValue(port);
            if (portValue is < 1 or > 65535)
            {
                error.WriteLine($"error: --port {portValue} must be from 1 to 65535");
                return ExitCodes.UsageError;
            }

            var request = CommandLineRequest.TryCreate(
                parse.GetRequiredValue(method), parse.GetRequiredValue(path), parse.GetValue(header) ?? [], parse.GetValue(body), out var requestError);
            if (request is null)
            {
                error.WriteLine($"error: {requestError}");
                return ExitCodes.UsageError;
            }

            var config = ConfigFileLoader.Load(parse.GetRequiredValue(configFile), error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            // One evaluation: interpreting the patterns is faster than compiling them to IL.
            var policy = IncomingTrafficPolicy.Compile(
                config, new FilterOptions { CompileToIL = false }, loggerFactory.CreateLogger("Mirrord.Incoming"));
            var decision = policy.Decide(portValue, request);
            output.WriteLine(decision.Action.ToString().ToLowerInvariant());
            output.WriteLine($"  reason: {decision.Explain(policy)}");
            return ExitCodes.Success;
        });

        return command;
    }
}
