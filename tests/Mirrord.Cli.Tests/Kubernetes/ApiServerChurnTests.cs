using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// <c>connect</c> while the (FAKE) API server does what real ones do during a long session: ends
/// watches on its timeout, forgets old resourceVersions (410 Expired in the stream), sends
/// bookmarks, and restarts. The session goes on, and pods that join afterwards are joined.
/// </summary>
public sealed class ApiServerChurnTests
{
    [Fact]
    public async Task WatchResumedFromAnExpiredVersion_ListsAgain_AndAReplicaAddedAfterIsJoined()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        // The watch sees an event of its own (a status update); then another workload's pod moves the
        // resourceVersion past it, the server forgets the history and ends the watch: resuming from
        // the last version seen gets 410.
        env.Api.SetReady(env.Replicas[0].Name, ready: true);
        env.Api.AddPod("payments-a", new Dictionary<string, string> { ["app"] = "payments" }, new Dictionary<int, int>());
        env.Api.Compact();
        env.Api.EndWatches();
        await Poll.UntilAsync(() => env.Api.ExpiredWatches >= 1, "the resumed watch was told its version expired");
        var second = env.Publish(1);

        await cli.ExpectLineAsync("registered on pod orders-b");
        Assert.Equal("laptop", await second.ServedByAsync("alice"));
        Assert.True(env.Api.ExpiredWatches == 1, $"watched {env.Api.ExpiredWatches} times from an expired version: the watch did not list again");
        Assert.True(env.Api.WatchRequests <= 4, $"{env.Api.WatchRequests} watch requests: the watch loop spins");
    }

    [Fact]
    public async Task Bookmarks_MoveTheResumePoint_SoAQuietTargetsWatchDoesNotExpire()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        // Other workloads' pods move the resourceVersion; this target's watch only hears of it through a bookmark.
        var lists = env.Api.PodLists;
        env.Api.AddPod("payments-a", new Dictionary<string, string> { ["app"] = "payments" }, new Dictionary<int, int>());
        // The bookmark is in the stream before its end, so the watch resumes from it.
        env.Api.Bookmark();
        env.Api.Compact();
        env.Api.EndWatches();
        env.Publish(1);

        await cli.ExpectLineAsync("registered on pod orders-b");
        Assert.Equal(0, env.Api.ExpiredWatches);
        Assert.True(env.Api.PodLists == lists, "the watch was resumed by listing again, not from the bookmark");
    }

    [Fact]
    public async Task WatchesTheServerEndsOnItsTimeout_AreResumed_AndAReplicaAddedAfterIsJoined()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        env.Api.WatchTimeout = TimeSpan.FromMilliseconds(300);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        await Poll.UntilAsync(() => env.Api.WatchRequests >= 3, "the server ended the watch twice");
        var second = env.Publish(1);

        await cli.ExpectLineAsync("registered on pod orders-b");
        Assert.Equal("laptop", await second.ServedByAsync("alice"));
    }

    [Fact]
    public async Task ApiServerRestart_MidSession_TheSessionGoesOn_AndAReplicaAddedAfterIsJoined()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        var first = env.Publish(0);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        await env.Api.RestartAsync();
        var second = env.Publish(1);

        await cli.ExpectLineAsync("registered on pod orders-b");
        await Poll.UntilAsync(async () => await first.ServedByAsync("alice") == "laptop", "orders-a steals again after the restart");
        Assert.Equal("laptop", await second.ServedByAsync("alice"));
        Assert.Equal(first.Name, await first.ServedByAsync("bob"));
    }
}
