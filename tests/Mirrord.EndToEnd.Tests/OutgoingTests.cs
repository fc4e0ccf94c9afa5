using System.Diagnostics;
using Mirrord.Demo;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// <c>mirrord-cli exec</c> against a pod in its own network namespace: a "cluster" namespace (the client namespace,
/// 198.18.0.1) holds a service and a real DNS server (dnsmasq) that only the pod can reach, the pod's resolv.conf
/// names that server with the search path a pod in namespace <c>shop</c> gets, and the laptop (this machine) reaches
/// the pod's session endpoint only through a port-forward stand-in. The developer's command is real curl.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class OutgoingTests
{
    private const int OrdersPort = 8081;

    // What the kubelet writes for a pod in namespace shop (ClusterFirst): its namespace's search path first, ndots 5.
    private const string PodResolvConf = "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 198.18.0.1\noptions ndots:5\n";

    [SkippableFact]
    public async Task Exec_CurlByTheServicesShortName_ResolvesAndConnectsFromThePod_WhichTheLaptopCannotReach()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        Skip.IfNot(File.Exists("/usr/sbin/dnsmasq"), "dnsmasq not installed (the pod's DNS server; as root on Debian or Ubuntu, build/setup.sh installs dnsmasq-base)");

        var layout = NamespacePod.DefaultLayout(PodOnThisMachine.AppCommand, PodOnThisMachine.AppPorts) with { ResolvConf = PodResolvConf };
        await using var env = await PodOnThisMachine.StartAsync(layout);
        using var orders = await ClusterService.StartAsync(env.Pod, OrdersPort);
        using var dns = BackgroundProgram.StartIn(env.Pod.ClientNamespace.Name, ["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=198.18.0.1", "--address=/orders.shop.svc.cluster.local/198.18.0.1"]);
        await using var portForward = PortForwardStandIn.Start(env.Pod);

        // Without exec the laptop has no way there: no route to the cluster's addresses, no name for the service.
        var direct = await RunAsync(["curl", "-sS", "--max-time", "3", $"http://orders:{OrdersPort}/whoami"]);
        Assert.NotEqual(0, direct.ExitCode);

        var result = await RunAsync([.. ExecThrough(portForward), "curl", "-sS", "-f", "-D", "-", $"http://orders:{OrdersPort}/whoami"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);

        // CONNECT, as clients tunnel HTTPS through HTTP_PROXY (curl -p forces it for plain HTTP too).
        var tunnelled = await RunAsync([.. ExecThrough(portForward), "curl", "-sS", "-f", "-p", "-D", "-", $"http://orders:{OrdersPort}/whoami"]);
        Assert.True(tunnelled.ExitCode == 0, tunnelled.Output);
        Assert.Contains("x-served-by: orders", tunnelled.Output, StringComparison.OrdinalIgnoreCase);

        // A .NET program's HttpClient, with nothing but the environment exec gave it.
        var dotnet = await RunAsync([.. ExecThrough(portForward), NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll"), "fetch", $"http://orders:{OrdersPort}/whoami"]);
        Assert.True(dotnet.ExitCode == 0, dotnet.Output);
        Assert.Contains("200 served by orders", dotnet.Output, StringComparison.Ordinal);

        // The same HttpClient through SOCKS5 alone (ALL_PROXY with the socks5 scheme .NET reads): it sends the name, the pod resolves it.
        var socks = await RunAsync([.. ExecThrough(portForward), "sh", "-c",
            $"export ALL_PROXY=\"socks5://${{ALL_PROXY#socks5h://}}\"; unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy all_proxy; exec {NamespacePod.Dotnet} {Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll")} fetch http://orders:{OrdersPort}/whoami"]);
        Assert.True(socks.ExitCode == 0, socks.Output);
        Assert.Contains("200 served by orders", socks.Output, StringComparison.Ordinal);
    }

    /// <summary>The developer's <c>mirrord-cli exec</c> through the port-forward, up to the <c>--</c> before the command.</summary>
    internal static string[] ExecThrough(PortForwardStandIn portForward)
        => [NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "mirrord-cli.dll"), "exec", "--sidecar-address", portForward.Address, "--"];

    internal static async Task<(int ExitCode, string Output)> RunAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
