using System.Net;
using Mirrord.Cli.Local;
using Mirrord.Cli.Output;
using Mirrord.Incoming.Configuration;
using Mirrord.Tunnel.Client;

namespace Mirrord.Demo;

/// <summary>
/// The live demo: the same three callers before, during and after a developer's session, each
/// request really sent through the sidecar and answered by the pod or by the laptop.
/// </summary>
internal static class DemoStory
{
    private static readonly (string Who, string Path, string[] Headers)[] s_callers =
    [
        ("Alice's curl", "/api/orders/42", ["User-Agent: curl/8.5.0", "X-Dev: alice"]),
        ("Bob's curl", "/api/orders/42", ["User-Agent: curl/8.5.0", "X-Dev: bob"]),
        ("kubelet readiness probe", "/health/ready", ["User-Agent: kube-probe/1.31", "X-Dev: alice"]),
    ];

    public static async Task RunAsync(IDemoPod pod, IncomingConfig config, string configSource, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("== The pod");
        foreach (var line in pod.Description)
        {
            output.WriteLine($"  {line}");
        }

        output.WriteLine();
        output.WriteLine("== 1. Nobody is connected: every request reaches the pod's app");
        await SendAllAsync(pod, output, cancellationToken);

        await using var laptop = await DemoApp.StartAsync("laptop", IPAddress.Loopback, 0, cancellationToken);
        var reporter = new Reporter(new IndentedWriter(output), json: false);
        await using var server = await LocalServer.StartAsync(new LocalTarget(config, DemoApp.PortOf(laptop)), reporter, logging => { }, cancellationToken);
        output.WriteLine();
        output.WriteLine($"== 2. Alice connects: mirrord-cli connect ({configSource}: {config.Mode.ToString().ToLowerInvariant()}, {config.HttpFilter?.Rule.Describe() ?? "no filter"})");
        output.WriteLine($"     her local process listens on 127.0.0.1:{DemoApp.PortOf(laptop)}");
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = SessionRunner.RunAsync(config, "alice@laptop", "orders-demo", pod.Dial, server, reporter, session.Token);
        await WaitForSessionsAsync(pod.Dial, 1, running, cancellationToken);
        await SendAllAsync(pod, output, cancellationToken);

        output.WriteLine();
        output.WriteLine("== 3. Alice presses Ctrl-C: the pod gets its traffic back");
        await session.CancelAsync();
        await running;
        await SendAllAsync(pod, output, cancellationToken);
    }

    private static async Task SendAllAsync(IDemoPod pod, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var (who, path, headers) in s_callers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pod.AppUrl, path));
            foreach (var header in headers)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
            }

            string answer;
            try
            {
                using var response = await pod.Client.SendAsync(request, cancellationToken);
                answer = response.Headers.TryGetValues("x-served-by", out var servedBy)
                    ? $"answered by the {servedBy.First()}"
                    : $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException ex)
            {
                answer = $"failed: {ex.Message}";
            }

            output.WriteLine($"  {who,-26} GET {path,-16} {string.Join(", ", headers),-44} -> {answer}");
        }
    }

    private static async Task WaitForSessionsAsync(SessionDialer dial, int count, Task<int> running, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await SessionClient.ListAsync(dial, cancellationToken)).Count < count)
        {
            if (running.IsCompleted || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the session did not register (connect ended with {(running.IsCompleted ? await running : -1)})");
            }

            await Task.Delay(100, cancellationToken);
        }

        // The first tunnel connections follow the registration by a moment.
        await Task.Delay(300, cancellationToken);
    }

    /// <summary>Indents the CLI's own lines so they read as part of the step.</summary>
    private sealed class IndentedWriter(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void WriteLine(string? value) => inner.WriteLine($"     | {value}");

        public override void Flush() => inner.Flush();
    }
}
