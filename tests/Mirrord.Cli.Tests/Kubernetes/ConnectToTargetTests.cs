using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// <c>connect --target</c> through the FAKE API server: target resolution, port-forwards with the
/// real client library, every replica joined, the target followed while connected.
/// </summary>
public sealed class ConnectToTargetTests
{
    [Fact]
    public async Task Deployment_WithTwoReplicas_EachReplicaStealsTheSameFilteredRequests()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        env.Publish(1);

        await using (var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 2))
        {
            Assert.Contains(cli.Lines, line => line.Contains("found 2 ready pod(s) of deployment/orders: orders-a, orders-b", StringComparison.Ordinal));
            foreach (var replica in env.Replicas)
            {
                Assert.Equal("laptop", await replica.ServedByAsync("alice"));
                Assert.Equal(replica.Name, await replica.ServedByAsync("bob"));
                Assert.Equal(replica.Name, await replica.ServedByAsync(null));
            }

            await cli.ExpectLineAsync("steal  GET /whoami -> 200");
            Assert.Contains(cli.Lines, line => line.Contains("steal  GET /whoami -> 200", StringComparison.Ordinal) && line.Contains("pod orders-a)", StringComparison.Ordinal));
            Assert.Contains(cli.Lines, line => line.Contains("steal  GET /whoami -> 200", StringComparison.Ordinal) && line.Contains("pod orders-b)", StringComparison.Ordinal));
            Assert.True(env.Api.PortForwards >= 2 * 3, $"expected a control and two tunnel port-forwards per pod, saw {env.Api.PortForwards}");
            Assert.Equal(0, await cli.StopAsync());
        }

        foreach (var replica in env.Replicas)
        {
            Assert.Equal(replica.Name, await replica.ServedByAsync("alice"));
        }
    }

    [Fact]
    public async Task Connected_TheTargetIsFollowed_NewPodsJoinAndDeletedPodsLeave()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        var first = env.Publish(0);
        var config = env.WriteConfig(target: """{ "path": "deployment/orders", "namespace": "shop" }""");
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("-f", config), registrations: 1);

        var second = env.Publish(1);
        await cli.ExpectLineAsync("registered on pod orders-b");
        Assert.Equal("laptop", await second.ServedByAsync("alice"));

        env.Api.DeletePod(first.Name);
        await cli.ExpectLineAsync("pod orders-a left deployment/orders (deleted)");
        await cli.ExpectLineAsync("ended on pod orders-a");
        Assert.True(await first.ServedByAsync("alice") == first.Name, string.Join("\n", cli.Lines));
        Assert.Equal("laptop", await second.ServedByAsync("alice"));
        Assert.Contains(cli.Lines, line => line.Contains("pod orders-b joined deployment/orders", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_WaitsForTheSessionsOfPodsThatLeft_ToEnd()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        await using var slowPortForward = StallingProxy.To(env.Replicas[1].Sidecar.SessionPort);
        env.Publish(0);
        env.Publish(1, sessionPort: slowPortForward.Port);
        var cli = await CliSession.StartAsync(env.ConnectArgs("-t", "deploy/orders", "-n", "shop", "-f", env.WriteConfig()), registrations: 2);

        // The leaving pod's session takes its time to end (its port-forward hangs); Ctrl-C comes meanwhile.
        slowPortForward.StallOpenConnections();
        env.Api.DeletePod(env.Replicas[1].Name);
        await cli.ExpectLineAsync("pod orders-b left deployment/orders (deleted)");
        Assert.Equal(0, await cli.StopAsync());

        Assert.Contains(cli.Lines, line => line.Contains("ended on pod orders-b", StringComparison.Ordinal));
        await cli.DisposeAsync();
    }

    [Fact]
    public async Task PodThatStopsBeingReady_LeavesAndRejoinsWhenReadyAgain()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        var pod = env.Publish(0);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("-t", "deploy/orders", "-n", "shop", "-f", env.WriteConfig()), registrations: 1);

        env.Api.SetReady(pod.Name, ready: false);
        await cli.ExpectLineAsync("pod orders-a left deployment/orders (no longer ready)");
        env.Api.SetReady(pod.Name, ready: true);
        await cli.ExpectLineAsync("pod orders-a joined");
        await cli.ExpectLineAsync("registered on pod orders-a", count: 2);

        Assert.Equal("laptop", await pod.ServedByAsync("alice"));
    }

    [Fact]
    public async Task PodTarget_ConnectsToThatPodOnly()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        var other = env.Publish(1);

        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "pod/orders-a", "-f", env.WriteConfig()), registrations: 1);

        Assert.Equal("laptop", await env.Replicas[0].ServedByAsync("alice"));
        Assert.Equal(other.Name, await other.ServedByAsync("alice"));
    }
}
