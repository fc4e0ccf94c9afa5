using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirrord.Testing;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>
/// Steady traffic through the sidecar while developers' sessions come and go every few seconds,
/// ending by Ctrl-C or by the port-forward dropping: no caller's request fails. (bench/soak.sh runs the
/// same for minutes against the programs as processes and watches memory.)
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_duration = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task SteadyLoad_WithSessionsAttachingAndDetaching_NoCallerRequestFails()
    {
        await using var env = await StealEnvironment.StartAsync(new Dictionary<string, string?> { ["Sidecar:SessionTimeout"] = "00:00:02" }, output.WriteLine);
        using var stop = new CancellationTokenSource(s_duration);
        var callers = Enumerable.Range(0, 4).Select(i => CallAsync(env, i % 2 == 0 ? LoopbackClients.Http11() : LoopbackClients.Http2(), i % 2 == 0 ? env.Pod.HttpPort : env.Pod.GrpcPort, stop.Token)).ToList();

        var cycles = 0;
        var stolen = 0;
        using var alice = LoopbackClients.Http11();
        while (!stop.IsCancellationRequested)
        {
            var portForward = StallingProxy.To(env.Sidecar.SessionPort);
            var cli = await CliSession.StartAsync(
                ["connect", "--sidecar-address", $"127.0.0.1:{portForward.Port}", .. env.ConnectArgs("steal", "\"header_filter\": \"^X-Dev: alice$\"")], registrations: 1);
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, env.Sidecar.UrlFor(env.Pod.HttpPort, "/whoami"));
                request.Headers.Add("X-Dev", "alice");
                using var response = await alice.SendAsync(request);
                stolen += await response.ServedByAsync() == "laptop" ? 1 : 0;
            }

            // Every other session ends by its port-forward dropping, without a goodbye: the sidecar reaps it.
            if (cycles++ % 2 == 1)
            {
                await portForward.DisposeAsync();
            }

            await cli.DisposeAsync();
            await portForward.DisposeAsync();

            // The next session starts once this one is gone from the sidecar: a session whose port-forward
            // dropped is reaped after SessionTimeout, and until then it still matches Alice's requests
            // (answered 502 session-ended, as its laptop is gone).
            var registry = env.Sidecar.Services.GetRequiredService<Mirrord.Sidecar.Sessions.SessionRegistry>();
            await Poll.UntilAsync(() => registry.Sessions.Length == 0, "the session ended on the sidecar");

            // Sessions come and go every half second or so, as developers' do, not in a tight loop.
            await Task.Delay(500);
        }

        var results = await Task.WhenAll(callers);
        Assert.True(cycles >= 5, $"only {cycles} sessions came and went");
        Assert.Equal(cycles * 3, stolen);
        Assert.All(results, r => Assert.True(r.Failed == 0 && r.Served > 100, $"{r.Served} served, {r.Failed} failed: {r.FirstError}"));
    }

    private static async Task<(int Served, int Failed, string? FirstError)> CallAsync(StealEnvironment env, HttpClient client, int port, CancellationToken stop)
    {
        using (client)
        {
            var (served, failed, first) = (0, 0, (string?)null);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(env.Sidecar.UrlFor(port, "/bytes/1024"), CancellationToken.None);
                    var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK && body.Length == 1024 && await response.ServedByAsync() == "pod")
                    {
                        served++;
                        continue;
                    }

                    failed++;
                    first ??= $"{(int)response.StatusCode} from {await response.ServedByAsync()}";
                }
                catch (HttpRequestException ex)
                {
                    failed++;
                    first ??= ex.Message;
                }
            }

            return (served, failed, first);
        }
    }
}
