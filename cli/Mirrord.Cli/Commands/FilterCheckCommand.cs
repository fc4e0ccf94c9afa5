using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Policy;
using Mirrord.Tunnel.Probes;

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
        var probe = Options.Probe();
        var key = Options.Key();
        var command = new Command("filter-check", "Print steal, mirror or pass for a request, and the rule that decided")
        {
            configFile, port, method, path, header, body, probe, key,
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

            var probes = new List<AppProbe>();
            foreach (var text in parse.GetValue(probe) ?? [])
            {
                if (ParseProbe(text) is not { } parsed)
                {
                    error.WriteLine($"error: --probe \"{text}\" must be PORT:PATH (an httpGet probe, e.g. 8080:/healthz) or PORT:grpc");
                    return ExitCodes.UsageError;
                }

                probes.Add(parsed);
            }

            var config = ConfigFileLoader.Load(parse.GetRequiredValue(configFile), parse.GetValue(key), error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            // One evaluation: interpreting the patterns is faster than compiling them to IL.
            var policy = IncomingTrafficPolicy.Compile(
                config, new FilterOptions { CompileToIL = false }, loggerFactory.CreateLogger("Mirrord.Incoming"));
            var decision = policy.Decide(portValue, request);
            var userAgent = request.HeaderValue("User-Agent");
            var isProbe = probes.FirstOrDefault(p => p.Matches(portValue, request.Method, request.PathAndQuery, userAgent));
            if (decision.Action == TrafficAction.Steal && isProbe is not null)
            {
                output.WriteLine("pass");
                output.WriteLine($"  reason: it is the pod's {isProbe.Describe()}: the sidecar passes the pod's own probes to the app whatever a session says " +
                    $"(the session would have stolen it: {decision.Explain(policy)})");
            }
            else
            {
                output.WriteLine(decision.Action.ToString().ToLowerInvariant());
                output.WriteLine($"  reason: {decision.Explain(policy)}");
                if (decision.Action == TrafficAction.Steal && userAgent?.StartsWith(AppProbe.KubeletUserAgentPrefix, StringComparison.Ordinal) == true)
                {
                    output.WriteLine("  note: if this is one of the pod's own probes (see --probe), the sidecar passes it to the app whatever the filter says");
                }
            }

            output.WriteLine($"  {PortClaims.Describe(config, portValue)}");
            return ExitCodes.Success;
        });

        return command;
    }

    private static AppProbe? ParseProbe(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 1 || !int.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        var rest = text[(colon + 1)..];
        return rest == "grpc" ? new AppProbe(port, Grpc: true) : rest.StartsWith('/') ? new AppProbe(port, AppProbe.RequestTarget(rest)) : null;
    }
}
