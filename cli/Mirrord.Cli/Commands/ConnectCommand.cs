using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Cli.Kubernetes;
using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Cli.Variables;
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
        var options = new SessionOptions();
        var command = new Command("connect", "Steal or mirror the target's traffic to a local process until Ctrl-C");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, outgoing: null, output, error, cancellationToken));
        return command;
    }

    /// <summary>The options <c>connect</c> and <c>exec</c> share.</summary>
    internal sealed class SessionOptions
    {
        public Option<FileInfo?> ConfigFile { get; } = Options.OptionalConfigFile();

        public Option<string?> Target { get; } = Options.Target();

        public Option<string?> Namespace { get; } = Options.Namespace();

        public Option<string?> Context { get; } = Options.Context();

        public Option<string?> Kubeconfig { get; } = Options.Kubeconfig();

        public Option<string?> SidecarAddress { get; } = Options.SidecarAddress();

        public Option<int?> LocalPort { get; } = Options.LocalPort();

        public Option<string?> Mode { get; } = Options.Mode();

        public Option<string?> HeaderFilter { get; } = Options.HeaderFilter();

        public Option<string?> PathFilter { get; } = Options.PathFilter();

        public Option<string[]> Ports { get; } = Options.PortMapping();

        public Option<string> Name { get; } = Options.SessionName();

        public Option<string?> Key { get; } = Options.Key();

        public Option<string> Format { get; } = Options.OutputFormat();

        public Argument<string[]> LocalCommand { get; } = Options.LocalCommand();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { ConfigFile, Target, Namespace, Context, Kubeconfig, SidecarAddress, LocalPort, Mode, HeaderFilter, PathFilter, Ports, Name, Key, Format })
            {
                command.Options.Add(option);
            }

            command.Arguments.Add(LocalCommand);
        }
    }

    /// <summary>
    /// Registers the session and serves it until Ctrl-C, SIGTERM or the local command's exit. With
    /// <paramref name="outgoing"/> (<c>exec</c>), the command is started with the pod's outgoing access wired in, Ctrl-C
    /// is passed on to it, and the CLI exits with its code once it has exited.
    /// </summary>
    internal static async Task<int> RunAsync(ParseResult parse, SessionOptions options, ExecCommand.Outgoing? outgoing, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(options.ConfigFile);
        var document = file is null ? null : ConfigDocument.Load(file, parse.GetValue(options.Key), error);
        if (file is not null && document is null)
        {
            return ExitCodes.ConfigInvalid;
        }

        var key = document?.Key ?? ConfigDocument.KeyWithoutFile(parse.GetValue(options.Key), Environment.GetEnvironmentVariable);
        var config = document is null ? EnvironmentOverrides.Apply(IncomingConfig.Default, Environment.GetEnvironmentVariable, error) : ConfigFileLoader.Load(document, error);
        config = config is null ? null : ConfigOverrides.Apply(
            config, parse.GetValue(options.Mode), parse.GetValue(options.HeaderFilter), parse.GetValue(options.PathFilter), parse.GetValue(options.Ports) ?? [], error);
        if (config is null)
        {
            return ExitCodes.ConfigInvalid;
        }

        using var localTls = LocalTlsClient.Create(config.TlsDelivery, $"{IncomingConfigParser.IncomingPath}.{config.TlsDelivery.Field}", out var tlsError);
        if (tlsError is not null)
        {
            error.WriteLine($"error: {tlsError}");
            return ExitCodes.ConfigInvalid;
        }

        var fileTarget = document is null ? null : TargetConfig.Read(document);
        var targetText = parse.GetValue(options.Target) ?? fileTarget?.Path;
        var address = parse.GetValue(options.SidecarAddress);
        if (address is not null && parse.GetValue(options.Target) is not null)
        {
            error.WriteLine("error: --target and --sidecar-address exclude each other: the first finds pods through Kubernetes, the second skips it");
            return ExitCodes.UsageError;
        }

        if (!TryChooseDestination(targetText, address, error, out var targetReference, out var direct))
        {
            return ExitCodes.UsageError;
        }

        var reporter = new Reporter(output, parse.GetRequiredValue(options.Format) == "json");
        var argv = parse.GetValue(options.LocalCommand) ?? [];
        LocalCommand? local = null;
        await using var access = outgoing is null ? null : await outgoing.StartAsync(document, reporter, error);
        if (outgoing is not null && access is null)
        {
            return outgoing.ExitCode;
        }

        try
        {
            var environment = access is null ? null
                : await CommandEnvironmentAsync(parse, options, document, targetReference, fileTarget?.Namespace, access, reporter, error, cancellationToken);
            if (access is not null && environment is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            if (argv.Length > 0)
            {
                local = LocalCommand.Start(argv, environment);
                reporter.Progress($"started the local command {argv[0]} (pid {local.ProcessId})");
            }

            using var stopping = access is null ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : new CancellationTokenSource();
            _ = local?.Exited.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);
            using var interrupt = access is null || local is null ? default : cancellationToken.Register(() => local.Interrupt());
            await using var server = await LocalServer.StartAsync(
                new LocalTarget(config, parse.GetValue(options.LocalPort), tls: localTls), reporter, logging => logging
                    .AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace), stopping.Token);

            var sessionName = parse.GetRequiredValue(options.Name);
            reporter.Progress($"session key {key} (share links: ?mirrord-session={Uri.EscapeDataString(key.Value)})");
            int exitCode;
            if (targetReference is null)
            {
                reporter.Progress($"connecting to the sidecar at {address}");
                exitCode = await SessionRunner.RunAsync(
                    config, sessionName, address!, direct!, server, reporter, stopping.Token, owner: new Tunnel.Protocol.SessionOwner(null, null, Environment.UserName), outgoing: access?.Pods, key: key.Value);
            }
            else
            {
                using var kube = KubeContext.Create(parse.GetValue(options.Kubeconfig), parse.GetValue(options.Context), parse.GetValue(options.Namespace), fileTarget?.Namespace);
                exitCode = await new TargetSessions(kube, targetReference, config, sessionName, server, reporter, access?.Pods, key.Value).RunAsync(stopping.Token);
            }

            if (local is not null && local.Exited.IsCompleted && (access is not null || !cancellationToken.IsCancellationRequested))
            {
                var code = await local.Exited;
                reporter.Progress($"the local command exited with code {code}; the session is over");
                return code;
            }

            if (local is not null && access is not null && exitCode != ExitCodes.Success)
            {
                // The session could not be held (refused, unreachable): the command would run without the pod, so it is stopped.
                reporter.Warning($"stopping the local command {argv[0]}: the session ended");
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
        catch (EnvironmentFileException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.ConfigInvalid;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || local?.Exited.IsCompleted == true)
        {
            return local is { Exited.IsCompletedSuccessfully: true } && (access is not null || !cancellationToken.IsCancellationRequested) ? await local.Exited : ExitCodes.Success;
        }
        finally
        {
            if (local is not null)
            {
                await local.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <c>exec</c>'s command environment: the target container's variables with <c>feature.env</c> applied, then the proxy
    /// variables (which win: the pod's own proxy settings would send the command past the pod), and <c>unset</c>'s
    /// names removed whatever their case. Null after writing why, when <c>feature.env</c> is invalid.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string?>?> CommandEnvironmentAsync(
        ParseResult parse, SessionOptions options, ConfigDocument? document, TargetReference? target, string? fileNamespace, Outgoing.OutgoingAccess access,
        Reporter reporter, TextWriter error, CancellationToken cancellationToken)
    {
        var config = EnvCommand.Load(document, error);
        if (config is null)
        {
            return null;
        }

        using var kube = target is null ? null : KubeContext.Create(parse.GetValue(options.Kubeconfig), parse.GetValue(options.Context), parse.GetValue(options.Namespace), fileNamespace);
        var (variables, problems, source) = await TargetEnvironment.ReadAsync(kube, target, config, cancellationToken);
        foreach (var problem in problems)
        {
            reporter.Warning(problem);
        }

        reporter.Progress($"the command gets {variables.Count} variable(s) from {source}");
        var environment = variables.ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal);
        foreach (var (name, value) in access.Environment)
        {
            environment[name] = value;
        }

        foreach (var name in config.Unset)
        {
            foreach (var present in Environment.GetEnvironmentVariables().Keys.OfType<string>().Concat(environment.Keys.ToList()).Where(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                environment[present] = null;
            }
        }

        return environment;
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
