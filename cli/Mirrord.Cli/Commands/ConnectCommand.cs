using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Cli.Kubernetes;
using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>connect</c>: registers the session on every ready pod of the target (through Kubernetes
/// port-forwards), or on one sidecar directly (<c>--sidecar-address</c>), and serves stolen
/// requests to the local process until Ctrl-C, SIGTERM, or the exit of the command after <c>--</c>.
/// </summary>
internal static class ConnectCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = Options.OptionalConfigFile();
        var target = Options.Target();
        var @namespace = Options.Namespace();
        var context = Options.Context();
        var kubeconfig = Options.Kubeconfig();
        var sidecarAddress = Options.SidecarAddress();
        var localPort = Options.LocalPort();
        var mode = Options.Mode();
        var headerFilter = Options.HeaderFilter();
        var pathFilter = Options.PathFilter();
        var ports = Options.PortMapping();
        var name = Options.SessionName();
        var format = Options.OutputFormat();
        var localCommand = Options.LocalCommand();
        var command = new Command("connect", "Steal or mirror the target's traffic to a local process until Ctrl-C")
        {
            configFile, target, @namespace, context, kubeconfig, sidecarAddress, localPort, mode, headerFilter, pathFilter, ports, name, format, localCommand,
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

            using var localTls = LocalTlsClient.Create(config.HttpsDelivery, out var tlsError);
            if (tlsError is not null)
            {
                error.WriteLine($"error: {tlsError}");
                return ExitCodes.ConfigInvalid;
            }

            var fileTarget = file is null ? null : TargetConfig.Read(file);
            var targetText = parse.GetValue(target) ?? fileTarget?.Path;
            var address = parse.GetValue(sidecarAddress);
            if (address is not null && parse.GetValue(target) is not null)
            {
                error.WriteLine("error: --target and --sidecar-address exclude each other: the first finds pods through Kubernetes, the second skips it");
                return ExitCodes.UsageError;
            }

            if (!TryChooseDestination(targetText, address, error, out var targetReference, out var direct))
            {
                return ExitCodes.UsageError;
            }

            var reporter = new Reporter(output, parse.GetRequiredValue(format) == "json");
            var argv = parse.GetValue(localCommand) ?? [];
            LocalCommand? local = null;
            try
            {
                if (argv.Length > 0)
                {
                    local = LocalCommand.Start(argv);
                    reporter.Progress($"started the local command {argv[0]} (pid {local.ProcessId})");
                }

                using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _ = local?.Exited.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);
                await using var server = await LocalServer.StartAsync(
                    new LocalTarget(config, parse.GetValue(localPort), tls: localTls), reporter, logging => logging
                        .AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace), stopping.Token);

                var sessionName = parse.GetRequiredValue(name);
                int exitCode;
                if (targetReference is null)
                {
                    reporter.Progress($"connecting to the sidecar at {address}");
                    exitCode = await SessionRunner.RunAsync(
                        config, sessionName, address!, direct!, server, reporter, stopping.Token, owner: new Tunnel.Protocol.SessionOwner(null, null, Environment.UserName));
                }
                else
                {
                    using var kube = KubeContext.Create(parse.GetValue(kubeconfig), parse.GetValue(context), parse.GetValue(@namespace), fileTarget?.Namespace);
                    exitCode = await new TargetSessions(kube, targetReference, config, sessionName, server, reporter).RunAsync(stopping.Token);
                }

                if (local is not null && local.Exited.IsCompleted && !cancellationToken.IsCancellationRequested)
                {
                    var code = await local.Exited;
                    reporter.Progress($"the local command exited with code {code}; the session is over");
                    return code;
                }

                return exitCode;
            }
            catch (LocalCommandException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ExitCodes.LocalCommandNotStarted;
            }
            catch (KubernetesException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || local?.Exited.IsCompleted == true)
            {
                return local is { Exited.IsCompletedSuccessfully: true } && !cancellationToken.IsCancellationRequested ? await local.Exited : ExitCodes.Success;
            }
            finally
            {
                if (local is not null)
                {
                    await local.DisposeAsync();
                }
            }
        });

        return command;
    }

    private static bool TryChooseDestination(
        string? targetText, string? address, TextWriter error, out TargetReference? target, out SessionDialer? direct)
    {
        target = null;
        direct = null;
        if (address is not null)
        {
            if (!DirectDialer.TryParse(address, out direct))
            {
                error.WriteLine($"error: --sidecar-address \"{address}\" must be host:port");
                return false;
            }

            return true;
        }

        if (targetText is null)
        {
            error.WriteLine("error: say what to connect to: --target KIND/NAME (or \"target\" in mirrord.json), or --sidecar-address HOST:PORT");
            return false;
        }

        if (!TargetReference.TryParse(targetText, out target, out var problem))
        {
            error.WriteLine($"error: --target: {problem}");
            return false;
        }

        return true;
    }
}
