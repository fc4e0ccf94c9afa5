using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Policy;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>demo</c>: runs a built-in session config against a handful of typical requests (a
/// developer's, a colleague's, kube-probe checks, gRPC over HTTP/2) and shows who would answer
/// each one and why. Needs nothing but this program.
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

    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = new Option<FileInfo?>("--config-file", "-f") { Description = "Use this mirrord.json instead of the built-in one" };
        var command = new Command("demo", "Show, on built-in sample requests, what a session steals and what stays with the pod") { configFile };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(configFile);
            var config = file is null
                ? IncomingConfigParser.ParseMirrordJson(DefaultConfig).GetConfigOrThrow()
                : ConfigFileLoader.Load(file, error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            Run(config, file is null ? "built-in" : file.Name, output);
            return ExitCodes.Success;
        });
        return command;
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
