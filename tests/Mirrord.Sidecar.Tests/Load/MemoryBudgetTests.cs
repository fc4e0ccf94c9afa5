using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mirrord.Sidecar.Tests.Hosting;
using Mirrord.Testing;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Load;

/// <summary>
/// The sidecar as the image runs it (the native executable) in a real memory cgroup at the limit the
/// webhook injects, under load built to make it buffer: many concurrent 1 MiB uploads and many small
/// JSON ones, a mirror session whose laptop never reads its copies (they stay in flight), and a
/// body-filter session (every small JSON body is read into memory to be filtered). An OOM kill would
/// refuse every redirected connection until the restart; the buffer budget must keep it from
/// happening while every request still reaches the app.
/// </summary>
[Collection(LoadAlone.Name)]
public sealed class MemoryBudgetTests(ITestOutputHelper output)
{
    private const int LargeBody = 1024 * 1024;
    private const int SmallBody = 60 * 1024;

    [SkippableFact]
    public async Task AtTheInjectedMemoryLimit_LargeBodiesWithMirrorAndBodyFilterSessions_NeverOomKilled_AndEveryRequestIsAnswered()
    {
        Skip.If(MemoryCgroup.Unavailable() is not null, MemoryCgroup.Unavailable());
        var limit = new k8s.Models.ResourceQuantity(new Injection.InjectionOptions().MemoryLimit).ToInt64();
        using var cgroup = MemoryCgroup.Create("mirrord-sidecar-memory", limit);
        await using var pod = await TestApp.StartAsync("pod");
        using var stuckLaptop = new TcpListener(IPAddress.Loopback, 0);
        stuckLaptop.Start(backlog: 512);
        await using var sidecar = await RunningSidecar.StartAsync(pod, new Dictionary<string, string>
        {
            // Adversarial: the mirror rate limit would otherwise drop most copies before they are made.
            ["MIRRORD_Sidecar__MirroredCopiesPerSecond"] = "100000",
        }, cgroup);
        var stuckPort = ((IPEndPoint)stuckLaptop.LocalEndpoint).Port;
        await using var mirror = await Connect(sidecar, $$"""{ "mode": "mirror", "port_mapping": [[{{stuckPort}}, {{pod.HttpPort}}]] }""");
        await using var bodyFilter = await Connect(sidecar, $$"""
            { "mode": "steal", "port_mapping": [[{{stuckPort}}, {{pod.HttpPort}}]],
              "http_filter": { "body_filter": { "body": "json", "query": "$.user", "matches": "^nobody$" }, "ports": [{{pod.HttpPort}}] } }
            """);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };
        var url = new Uri($"http://127.0.0.1:{sidecar.DirectPort}/sink");
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var large = JsonBody(LargeBody);
        var small = JsonBody(SmallBody);
        async Task Upload(byte[] body, int times)
        {
            for (var i = 0; i < times; i++)
            {
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    using var response = await client.PostAsync(url, content);
                    var text = await response.Content.ReadAsStringAsync();
                    if (text != $"pod read {body.Length}\n")
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {text}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }
            }
        }

        var loads = Enumerable.Range(0, 48).Select(_ => Upload(large, 25)).Concat(Enumerable.Range(0, 32).Select(_ => Upload(small, 60))).ToList();
        var quick = 0;
        while (!Task.WhenAll(loads).IsCompleted)
        {
            // Pass-through keeps answering while the load runs.
            try
            {
                using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{sidecar.DirectPort}/whoami"));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(body == "pod\n", $"{(int)response.StatusCode} {body}; OOM kills so far: {cgroup.OomKills}\n{sidecar.Process.Output}");
                quick++;
            }
            catch (HttpRequestException ex)
            {
                Assert.Fail($"a quick request failed during the load ({ex.Message}); OOM kills so far: {cgroup.OomKills}; the sidecar {(sidecar.Process.HasExited ? $"exited with {sidecar.Process.ExitCode}" : "runs")}\n{sidecar.Process.Output}");
            }

            await Task.Delay(100);
        }

        await Task.WhenAll(loads);
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{sidecar.HealthPort}/metrics");
        output.WriteLine($"peak charged {cgroup.PeakBytes / 1048576.0:0.0} MiB of {limit / 1048576.0:0} MiB; {quick} quick requests answered during the load; " +
            $"budget spent: {MetricsText.Counter(metrics, "mirrord_buffer_budget_spent_total", ("use", "mirror-copy"))} copies, " +
            $"{MetricsText.Counter(metrics, "mirrord_buffer_budget_spent_total", ("use", "body-filter"))} body filters");

        Assert.Equal(0, cgroup.OomKills);
        Assert.False(sidecar.Process.HasExited, sidecar.Process.Output);
        Assert.True(failures.IsEmpty, $"{failures.Count} uploads failed, e.g. {string.Join("; ", failures.Take(3))}");
        Assert.True(MetricsText.Counter(metrics, "mirrord_buffer_budget_spent_total", ("use", "mirror-copy")) > 0, "the load never reached the budget: it proves nothing");
    }

    private static byte[] JsonBody(int length)
    {
        var prefix = "{\"user\":\"someone\",\"pad\":\""u8;
        var body = new byte[length];
        prefix.CopyTo(body);
        body.AsSpan(prefix.Length, length - prefix.Length - 2).Fill((byte)'x');
        "\"}"u8.CopyTo(body.AsSpan(length - 2));
        return body;
    }

    private static async Task<CliSession> Connect(RunningSidecar sidecar, string incoming)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-memory-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, $$"""{ "feature": { "network": { "incoming": {{incoming}} } } }""");
        return await CliSession.StartAsync(["connect", "--sidecar-address", $"127.0.0.1:{sidecar.SessionPort.ToString(CultureInfo.InvariantCulture)}", "-f", path], registrations: 1);
    }
}

/// <summary>Load tests: run alone, so their load neither disturbs other tests nor is disturbed by them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadAlone
{
    public const string Name = "load, run alone";
}
