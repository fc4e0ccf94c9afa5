using System.CommandLine;
using System.Net.Sockets;
using Mirrord.Cli.Configuration;
using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>connect</c>: registers the session on the target's sidecar, opens the tunnel and serves
/// stolen requests to the local process until Ctrl-C. This build connects to one sidecar directly
/// (<c>--sidecar-address</c>); reaching pods through Kubernetes port-forwards builds on it.
/// </summary>
internal static class ConnectCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = Options.OptionalConfigFile();
        var sidecarAddress = Options.SidecarAddress();
        var localPort = Options.LocalPort();
        var mode = Options.Mode();
        var headerFilter = Options.HeaderFilter();
        var pathFilter = Options.PathFilter();
        var ports = Options.PortMapping();
        var name = Options.SessionName();
        var format = Options.OutputFormat();
        var command = new Command("connect", "Steal or mirror the target's traffic to a local process until Ctrl-C")
        {
            configFile, sidecarAddress, localPort, mode, headerFilter, pathFilter, ports, name, format,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(configFile);
            var config = file is null ? IncomingConfig.Default : ConfigFileLoader.Load(file, error);
            config = config is null ? null : ConfigOverrides.Apply(
                config, parse.GetValue(mode), parse.GetValue(headerFilter), parse.GetValue(pathFilter), parse.GetValue(ports) ?? [], error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            var address = parse.GetRequiredValue(sidecarAddress);
            if (!TryParseAddress(address, out var host, out var port))
            {
                error.WriteLine($"error: --sidecar-address \"{address}\" must be host:port");
                return ExitCodes.UsageError;
            }

            var reporter = new Reporter(output, parse.GetRequiredValue(format) == "json");
            var target = new LocalTarget(config, parse.GetValue(localPort));
            await using var server = await LocalServer.StartAsync(
                target, reporter, logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace), cancellationToken);
            reporter.Progress($"connecting to the sidecar at {address}");
            return await SessionRunner.RunAsync(config, parse.GetRequiredValue(name), address, DialDirect(host, port), server, reporter, cancellationToken);
        });

        return command;
    }

    private static SessionDialer DialDirect(string host, int port) => async cancellationToken =>
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken);
            return client.GetStream();
        }
        catch
        {
            client.Dispose();
            throw;
        }
    };

    private static bool TryParseAddress(string address, out string host, out int port)
    {
        var colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon].Trim('[', ']') : string.Empty;
        port = 0;
        return colon > 0 && int.TryParse(address[(colon + 1)..], out port) && port is >= 1 and <= 65535;
    }
}
