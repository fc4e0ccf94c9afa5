using System.CommandLine;
using System.Net.Sockets;
using Mirrord.Cli.Configuration;
using Mirrord.Cli.Outgoing;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>exec</c>: opens the sessions as <c>connect</c> does and runs the command after <c>--</c> as the pod: its outgoing
/// connections go through the pod (a local SOCKS5 and HTTP proxy in <c>ALL_PROXY</c>, <c>HTTP_PROXY</c> and
/// <c>HTTPS_PROXY</c>, and <c>-L</c> forwards for clients that ignore proxies), Ctrl-C is passed on to it, the
/// sessions end when it exits, and the CLI exits with its code (docs/OUTGOING.md).
/// </summary>
internal static class ExecCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var options = new ConnectCommand.SessionOptions();
        var forwards = new Option<string[]>("--forward", "-L")
        {
            Description = "[local-port:]host:port: a local port whose connections are opened from the pod to host:port (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("exec", "Run a command as the pod: its traffic stolen or mirrored as connect does, its outgoing connections made from the pod");
        options.AddTo(command);
        command.Options.Add(forwards);
        command.SetAction((parse, cancellationToken) =>
        {
            if ((parse.GetValue(options.LocalCommand) ?? []).Length == 0)
            {
                error.WriteLine("error: exec needs the command to run after --, such as: mirrord-cli exec -f .mirrord/mirrord.json -- dotnet run");
                return Task.FromResult(ExitCodes.UsageError);
            }

            return ConnectCommand.RunAsync(parse, options, new Outgoing(parse.GetValue(forwards) ?? []), output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>What <c>exec</c> adds to a session: reads <c>feature.network.outgoing</c> and <c>dns</c>, starts the proxy and the forwards.</summary>
    internal sealed class Outgoing(IReadOnlyList<string> forwards)
    {
        /// <summary>Why <see cref="StartAsync"/> returned null, as an exit code.</summary>
        public int ExitCode { get; private set; }

        /// <summary>Starts the proxy and forwards; null (after writing why) when the config or a forward is wrong.</summary>
        public async Task<OutgoingAccess?> StartAsync(ConfigDocument? document, Reporter reporter, TextWriter error)
        {
            var config = OutgoingConfig.Default;
            if (document is not null)
            {
                var (parsed, errors) = OutgoingConfigParser.ParseMirrordJson(document.Json);
                document.Report([], errors, error);

                if (parsed is null)
                {
                    ExitCode = ExitCodes.ConfigInvalid;
                    return null;
                }

                config = parsed;
            }

            var parsedForwards = new List<(int Local, string Host, int Port)>();
            foreach (var text in forwards)
            {
                if (!LocalForward.TryParse(text, out var localPort, out var host, out var port, out var problem))
                {
                    await error.WriteLineAsync($"error: {problem}");
                    ExitCode = ExitCodes.UsageError;
                    return null;
                }

                parsedForwards.Add((localPort, host, port));
            }

            var pods = new PodConnections();
            var dialer = new OutgoingDialer(pods, config);
            var access = new OutgoingAccess(pods, ProxyServer.Start(dialer, reporter.Warning), config);
            foreach (var (local, host, port) in parsedForwards)
            {
                try
                {
                    access.Forwards.Add(LocalForward.Start(local, host, port, dialer, reporter.Warning));
                    reporter.Progress($"forwarding 127.0.0.1:{local} to {host}:{port} from the pod");
                }
                catch (SocketException ex)
                {
                    await error.WriteLineAsync($"error: -L {local}:{host}:{port}: cannot listen on 127.0.0.1:{local}: {ex.Message}");
                    await access.DisposeAsync();
                    ExitCode = ExitCodes.UsageError;
                    return null;
                }
            }

            reporter.Progress($"outgoing connections of the command go through the pod: SOCKS5 and HTTP proxy on {access.Proxy.EndPoint} (ALL_PROXY, HTTP_PROXY, HTTPS_PROXY)");
            return access;
        }
    }
}
