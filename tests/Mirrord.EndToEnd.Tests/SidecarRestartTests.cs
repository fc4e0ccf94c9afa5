using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// What callers and a connected developer see when the sidecar dies (a crash, the OOM killer) and the
/// kubelet restarts it, measured on a real pod: the redirect still sends connections to the sidecar's
/// port, so they are refused until it listens again; nothing reaches the app around it. The kubelet is
/// modelled from its sources: it notices the exit at its next PLEG relist, every second
/// (kubernetes pkg/kubelet/kubelet.go, genericPlegRelistPeriod), and restarts a restartable init
/// container at once the first time it crashes (pkg/kubelet/kuberuntime/kuberuntime_manager.go,
/// doBackOff; the back-off, 10 s doubling to 5 min, applies from the second crash on). The container
/// runtime's own start-up (creating the container) is not modelled: there is none on this machine.
/// The figures are printed (docs/BENCHMARKS.md, section 6), not asserted.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class SidecarRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_kubeletNotices = TimeSpan.FromSeconds(1);

    [SkippableFact]
    public async Task SidecarKilled_AndRestartedAsTheKubeletWould_CallersAreRefusedThenServed_AndTheSessionComesBack()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        await using var session = await env.ConnectAsync("""{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$" } }""");
        var clock = Stopwatch.StartNew();
        // Each request by the time it was sent.
        var outcomes = new ConcurrentQueue<(TimeSpan At, bool Alice, string Outcome)>();
        using var stop = new CancellationTokenSource();
        var callers = new[] { false, true }.Select(alice => CallRepeatedlyAsync(env, alice, clock, outcomes, stop.Token)).ToList();
        await Task.Delay(300);

        await env.Pod.KillSidecarAsync(CancellationToken.None);
        var killedAt = clock.Elapsed;
        await Task.Delay(s_kubeletNotices);
        var restartedAt = clock.Elapsed;
        env.Pod.StartSidecarAgain();
        await Mirrord.Testing.Poll.UntilAsync(
            () => outcomes.Any(o => o.At > restartedAt && o.Alice && o.Outcome == "laptop"), $"the developer's requests stolen again; the CLI said:\n{session.Output}", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        var after = outcomes.Where(o => o.At > killedAt).ToList();
        var passBack = after.First(o => !o.Alice && o.Outcome == "pod").At;
        var stealBack = after.First(o => o.Alice && o.Outcome == "laptop").At;
        var aliceAtThePod = after.Count(o => o.Alice && o.Outcome == "pod");
        output.WriteLine(
            $"killed at {killedAt.TotalMilliseconds:0} ms; restarted (modelled kubelet) {(restartedAt - killedAt).TotalMilliseconds:0} ms later; " +
            $"pass-through back {(passBack - killedAt).TotalMilliseconds:0} ms after the kill ({(passBack - restartedAt).TotalMilliseconds:0} ms after the restart); " +
            $"stealing back {(stealBack - killedAt).TotalMilliseconds:0} ms after the kill ({(stealBack - restartedAt).TotalMilliseconds:0} ms after the restart); " +
            $"the developer's requests answered by the app in between: {aliceAtThePod}; callers while down: {string.Join(", ", after.Where(o => o.At < restartedAt).Select(o => o.Outcome).Distinct())}");

        // While it is down callers are refused (nothing else, nothing half-answered); afterwards the app answers again.
        Assert.All(after.Where(o => o.At < restartedAt), o => Assert.Equal("refused", o.Outcome));
        Assert.Equal("pod", after.Last(o => !o.Alice).Outcome);
    }

    private static async Task CallRepeatedlyAsync(
        PodOnThisMachine env, bool alice, Stopwatch clock, ConcurrentQueue<(TimeSpan, bool, string)> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = clock.Elapsed;

            // A new connection each time, as a caller retrying after a refusal makes.
            using var client = new HttpClient(env.Pod.CreateClientHandler()) { Timeout = TimeSpan.FromSeconds(5) };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(env.Pod.AppUrl, "/whoami"));
            request.Headers.ConnectionClose = true;
            if (alice)
            {
                request.Headers.Add("X-Dev", "alice");
            }

            string outcome;
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                outcome = response.Headers.TryGetValues("x-served-by", out var servedBy) ? servedBy.Single() : $"{(int)response.StatusCode}";
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                outcome = "refused";
            }
            catch (HttpRequestException ex) when (ex.InnerException is IOException)
            {
                outcome = "reset";
            }

            outcomes.Enqueue((started, alice, outcome));
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
