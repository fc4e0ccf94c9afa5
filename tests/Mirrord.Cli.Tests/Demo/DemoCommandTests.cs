namespace Mirrord.Cli.Tests.Demo;

/// <summary><c>mirrord-demo</c>, the README's first command, as a user runs it.</summary>
[Collection(DemoNamespaces.Name)]
public class DemoCommandTests
{
    [Fact]
    public async Task DryRun_BuiltInConfig_StealsAlicesRequestsAndLeavesProbesOnThePod()
    {
        var result = await CliRunner.RunDemoAsync("--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, line => line.StartsWith("Alice's curl", StringComparison.Ordinal) && line.EndsWith("the laptop (stolen)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith("kubelet readiness probe", StringComparison.Ordinal) && line.EndsWith("the pod", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith("Bob's curl", StringComparison.Ordinal) && line.EndsWith("the pod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DryRun_UserConfig_IsUsedInsteadOfTheBuiltIn()
    {
        var result = await CliRunner.RunDemoAsync("--dry-run", "-f", CliRunner.Seed("steal-all.json"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, line => line.StartsWith("kubelet readiness probe", StringComparison.Ordinal) && line.EndsWith("the laptop (stolen)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Live_OnLoopback_AliceGetsHerRequestsWhileConnected_AndThePodGetsThemBack()
    {
        var result = await CliRunner.RunDemoAsync("--loopback");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertStory(result);
    }

    [SkippableFact]
    public async Task Live_AsRoot_BuildsThePodInANetworkNamespaceWithTheRealRedirect_AndRemovesIt()
    {
        // The demo's own test of whether it can build network namespaces (root, ip, iptables), so the two never disagree.
        Skip.If(Mirrord.Demo.NamespacePod.Unavailable() is not null, $"{Mirrord.Demo.NamespacePod.Unavailable()} (.ci/run installs iptables and iproute2 and runs as root)");

        var result = await CliRunner.RunDemoAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, line => line.Contains("mirrord-init ran `mirrord-sidecar init --ports 8080 --inbound-port 15080`", StringComparison.Ordinal));
        AssertStory(result);
        var namespaces = await CliRunner.RunProgramAsync("ip", "netns", "list");
        Assert.DoesNotContain("mirrord-demo", namespaces, StringComparison.Ordinal);
    }

    /// <summary>Alice's request goes to the laptop only while she is connected; Bob's and the probe never do.</summary>
    internal static void AssertStory(CliResult result)
    {
        var lines = result.Lines;
        int Step(string heading) => Array.FindIndex(lines, line => line.StartsWith(heading, StringComparison.Ordinal));
        var (first, second, third) = (Step("== 1."), Step("== 2."), Step("== 3."));
        Assert.True(first >= 0 && second > first && third > second, result.ToString());
        string Answer(int from, int to, string who) => lines[from..to].Single(line => line.TrimStart().StartsWith(who, StringComparison.Ordinal))[^24..];
        Assert.EndsWith("answered by the pod", Answer(first, second, "Alice's curl"), StringComparison.Ordinal);
        Assert.EndsWith("answered by the laptop", Answer(second, third, "Alice's curl"), StringComparison.Ordinal);
        Assert.EndsWith("answered by the pod", Answer(second, third, "Bob's curl"), StringComparison.Ordinal);
        Assert.EndsWith("answered by the pod", Answer(second, third, "kubelet readiness probe"), StringComparison.Ordinal);
        Assert.EndsWith("answered by the pod", Answer(third, lines.Length, "Alice's curl"), StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Contains("steal  GET /api/orders/42 -> 200", StringComparison.Ordinal) && line.Contains("pod orders-demo", StringComparison.Ordinal));
    }
}
