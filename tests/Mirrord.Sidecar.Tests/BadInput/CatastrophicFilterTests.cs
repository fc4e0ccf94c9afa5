using System.Net;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.BadInput;

/// <summary>
/// A developer's filter with a pattern that backtracks catastrophically, and callers who send the
/// header that triggers it: every match is cut off at the timeout, so the pod keeps serving.
/// </summary>
public sealed class CatastrophicFilterTests
{
    [Fact]
    public async Task FloodOfRequestsThatTriggerTheTimeout_EveryRequestIsStillAnsweredWhereTheFilterSays()
    {
        await using var env = await StealEnvironment.StartAsync();
        await using var cli = await env.ConnectAsync("steal", "\"any_of\": [ { \"header\": \"^X-Evil: (a+)+$\" }, { \"header\": \"^X-Dev: alice$\" } ]");
        using var client = LoopbackClients.Http11();
        var evil = new string('a', 40) + "!";

        // Six at a time: enough to keep evil matches running beside good ones on 2 cores, without
        // starving a good match past the 50 ms timeout (that would count as no match, by design).
        using var inFlight = new SemaphoreSlim(6);
        var requests = Enumerable.Range(0, 60).Select(async i =>
        {
            var (name, value, expected) = (i % 3) switch
            {
                0 => ("X-Evil", evil, "pod"),
                1 => ("X-Dev", "alice", "laptop"),
                _ => ("User-Agent", "kube-probe/1.31", "pod"),
            };
            using var request = new HttpRequestMessage(HttpMethod.Get, env.Sidecar.UrlFor(env.Pod.HttpPort, "/whoami"));
            request.Headers.TryAddWithoutValidation(name, value);
            await inFlight.WaitAsync();
            try
            {
                using var response = await client.SendAsync(request);
                return (expected, actual: await response.ServedByAsync(), response.StatusCode);
            }
            finally
            {
                inFlight.Release();
            }
        });
        var answers = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(answers, a => Assert.Equal((a.expected, HttpStatusCode.OK), (a.actual, a.StatusCode)));
    }

    [Fact]
    public async Task ManyHeaderLinesThatEachTriggerTheTimeout_StopAtTheRequestsFilterTime_AndThePodAnswers()
    {
        await using var env = await StealEnvironment.StartAsync();
        await using var cli = await env.ConnectAsync("steal", "\"any_of\": [ { \"header\": \"(a+)+$\" }, { \"header\": \"(b+)+$\" } ]");
        using var client = LoopbackClients.Http11();
        using var request = new HttpRequestMessage(HttpMethod.Get, env.Sidecar.UrlFor(env.Pod.HttpPort, "/whoami"));
        for (var i = 0; i < 30; i++)
        {
            // Each line costs each pattern its whole match timeout (50 ms): three seconds of matching without a bound per request.
            request.Headers.TryAddWithoutValidation($"X-Evil-{i}", new string('a', 40) + "!");
        }

        using var response = await client.SendAsync(request);
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{env.Sidecar.HealthPort}/metrics");

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.True(MetricsText.Counter(metrics, "mirrord_filter_deadline_spent_total") > 0, "the filter time per request was never reached");
    }
}
