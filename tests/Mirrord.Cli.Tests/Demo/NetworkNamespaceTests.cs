using System.Net;
using Mirrord.Demo;

namespace Mirrord.Cli.Tests.Demo;

/// <summary>The demo's pod is a network namespace; a connection into it that is given up leaves nothing behind there.</summary>
public sealed class NetworkNamespaceTests
{
    [SkippableFact]
    public async Task AConnectThatIsCancelled_LeavesNoSocketInTheNamespace()
    {
        // The demo's own test of whether it can build network namespaces (root, ip, iptables), so the two never disagree.
        Skip.If(Mirrord.Demo.NamespacePod.Unavailable() is not null, $"{Mirrord.Demo.NamespacePod.Unavailable()} (.ci/run installs iptables and iproute2 and runs as root)");
        var ns = await NetworkNamespace.CreateAsync($"mirrord-test-{Environment.ProcessId}");
        try
        {
            // Every connection attempt to this port is dropped: a connect waits for an answer that never comes.
            var (code, _, error) = await ns.RunAsync("iptables", "-w", "-A", "OUTPUT", "-p", "tcp", "--dport", "9", "-j", "DROP");
            Assert.True(code == 0, error);
            using var giveUp = new CancellationTokenSource();

            var connecting = ns.ConnectAsync(new IPEndPoint(IPAddress.Loopback, 9), giveUp.Token);
            await WaitForSocketsAsync(ns, expected: 1);
            await giveUp.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting);
            Assert.Equal(0, await CountConnectingSocketsAsync(ns));
        }
        finally
        {
            await ns.DeleteAsync();
        }
    }

    private static async Task WaitForSocketsAsync(NetworkNamespace ns, int expected)
    {
        // The connect is issued on another thread; wait for the kernel to show it rather than for a while.
        for (var attempt = 0; await CountConnectingSocketsAsync(ns) != expected; attempt++)
        {
            Assert.True(attempt < 500, $"expected {expected} connecting socket(s) in {ns.Name}");
            await Task.Yield();
        }
    }

    private static async Task<int> CountConnectingSocketsAsync(NetworkNamespace ns)
    {
        var (code, output, error) = await ns.RunAsync("ss", "-Htn", "state", "syn-sent");
        Assert.True(code == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
