using System.CommandLine;
using Mirrord.Cli;
using Mirrord.Cli.Commands;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Policy;

namespace Mirrord.Demo;

/// <summary>
/// <c>mirrord-demo</c>: the product in under a minute, with no cluster. As root it builds a pod in a network
/// namespace (app, real iptables redirect, sidecar, all as the webhook injects them) and a client
/// namespace, then sends the same requests before, during and after a developer's session and
/// prints who answered each; without root it tells the same story on loopback ports.
/// <c>--dry-run</c> only shows the decisions, on more kinds of request, without sending anything.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The embedded default: steal Alice's requests, never kube-probe's.</summary>
    public const string DefaultConfig = """
        {
          "feature": {
            "network": {
              "incoming": {
                "mode": "steal",
                "http_filter": {
                  "all_of": [
                    { "header": "^User-Agent: (?!kube-probe)" },
                    { "header": "^X-Dev: alice$" },
                  ],
                },
              },
            },
          },
        }
        """;

    private static readonly (string Who, int Port, string Method, string Path, string[] Headers)[] s_requests =
    [
        ("Alice's curl", 8080, "GET", "/api/orders/42", ["User-Agent: curl/8.5.0", "X-Dev: alice"]),
        ("Bob's curl", 8080, "GET", "/api/orders/42", ["User-Agent: curl/8.5.0", "X-Dev: bob"]),
        ("a customer", 8080, "POST", "/api/orders", ["User-Agent: Mozilla/5.0", "Content-Type: application/json"]),
        ("kubelet readiness probe", 8080, "GET", "/health/ready", ["User-Agent: kube-probe/1.31", "X-Dev: alice"]),
        ("Alice's gRPC client (HTTP/2)", 8080, "POST", "/orders.v1.Orders/Get", ["user-agent: grpc-dotnet/2.85.0", "x-dev: alice", "content-type: application/grpc"]),
        ("a database client on 5432", 5432, "-", "-", []),
    ];

    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var configFile = new Option<FileInfo?>("--config-file", "-f") { Description = "Use this mirrord.json instead of the built-in one" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what the filter decides for sample requests; start nothing" };
        var loopback = new Option<bool>("--loopback") { Description = "Run on loopback ports even as root (no network namespaces, no iptables)" };
        var command = new RootCommand("mirrord-demo: see it work: a pod, its sidecar, and a developer's session, live on this machine") { configFile, dryRun, loopback, CreateApp() };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(configFile);
            var config = file is null
                ? IncomingConfigParser.ParseMirrordJson(DefaultConfig).GetConfigOrThrow()
                : ConfigFileLoader.Load(file, keyFlag: null, error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            var source = file is null ? "built-in config" : file.Name;
            if (parse.GetValue(dryRun))
            {
                Run(config, source, output);
                return ExitCodes.Success;
            }

            return await RunLiveAsync(config, source, parse.GetValue(loopback), output, error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunLiveAsync(IncomingConfig config, string source, bool forceLoopback, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var unavailable = forceLoopback ? "--loopback was given" : NamespacePod.Unavailable();
        output.WriteLine(unavailable is null
            ? "mirrord demo: a pod in a network namespace with the real iptables redirect, a client namespace, and this machine as the laptop."
            : $"mirrord demo on loopback ports ({unavailable}; as root with iproute2 and iptables it builds network namespaces with the real redirect).");
        output.WriteLine();
        IDemoPod pod;
        try
        {
            pod = unavailable is null
                ? await StartNamespacePodOrNullAsync(output, cancellationToken) ?? await LoopbackPod.StartAsync(cancellationToken)
                : await LoopbackPod.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException)
        {
            error.WriteLine($"error: the demo could not set up its pod: {ex.Message}");
            return ExitCodes.SidecarUnreachable;
        }

        await using (pod)
        {
            if (config.HttpFilter is { } filter && !filter.Ports.Contains(pod.ContainerPort))
            {
                // On loopback the app's port is not 8080: the filter's 8080 stands for it.
                config = config with { HttpFilter = filter with { Ports = [.. filter.Ports.Select(p => p == 8080 ? pod.ContainerPort : p)] } };
            }

            await DemoStory.RunAsync(pod, config, source, output, cancellationToken);
        }

        output.WriteLine();
        output.WriteLine("Cleaned up: processes stopped, network namespaces removed.");
        output.WriteLine("Next: mirrord-demo --dry-run -f your/mirrord.json shows what your own filter decides.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The pod in network namespaces, or null when this machine would not build it (a program such as ip or iptables
    /// failed: no NET_ADMIN in a container, a kernel without the nat table); what failed is said, and the story is
    /// told on loopback instead.
    /// </summary>
    private static async Task<IDemoPod?> StartNamespacePodOrNullAsync(TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            return await NamespacePod.StartAsync("mirrord-demo", cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            output.WriteLine($"The pod in a network namespace could not be built on this machine: {ex.Message.Trim()}");
            output.WriteLine("So the story is told on loopback ports instead (the redirect is then a port of the sidecar's own).");
            output.WriteLine();
            return null;
        }
    }

    /// <summary><c>mirrord-demo app</c>: the demo's sample service, started inside the pod namespace.</summary>
    private static Command CreateApp()
    {
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "pod" };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 8080 };
        var app = new Command("app", "The demo's sample service (answers every request naming itself)") { name, port };
        app.Hidden = true;
        app.SetAction(async (parse, cancellationToken) =>
        {
            await using var running = await DemoApp.StartAsync(parse.GetRequiredValue(name), System.Net.IPAddress.Any, parse.GetValue(port), cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            return ExitCodes.Success;
        });
        return app;
    }

    private static void Run(IncomingConfig config, string source, TextWriter output)
    {
        var policy = IncomingTrafficPolicy.Compile(config, new FilterOptions { CompileToIL = false });
        output.WriteLine($"Session config ({source}):");
        foreach (var line in IncomingConfigWriter.WriteIncoming(config).Split('\n'))
        {
            output.WriteLine($"  {line}");
        }

        output.WriteLine();
        output.WriteLine("Who sends it                    Port   Request                          Answered by");
        foreach (var (who, port, method, path, headers) in s_requests)
        {
            var request = CommandLineRequest.TryCreate(method, path == "-" ? "/" : path, headers, null, out _)!;
            var decision = policy.Decide(port, request);
            var answeredBy = decision.Action switch
            {
                TrafficAction.Steal => "the laptop (stolen)",
                TrafficAction.Mirror => "the pod, laptop gets a copy",
                _ => "the pod",
            };
            var shown = method == "-" ? "(raw TCP)" : $"{method} {path}";
            output.WriteLine($"{who,-31} {port,-6} {shown,-32} {answeredBy}");
            output.WriteLine($"{string.Empty,-39} why: {decision.Explain(policy)}");
        }

        output.WriteLine();
        output.WriteLine("Try your own: mirrord-cli filter-check -f mirrord.json --port 8080 --path /api -H 'X-Dev: alice'");
    }
}
