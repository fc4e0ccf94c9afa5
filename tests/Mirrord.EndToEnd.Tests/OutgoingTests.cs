using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mirrord.Demo;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// <c>mirrord-cli exec</c> against a pod in its own network namespace: a "cluster" namespace (the client namespace,
/// 198.18.0.1) holds a service and a real DNS server (dnsmasq) that only the pod can reach, the pod's resolv.conf
/// names that server with the search path a pod in namespace <c>shop</c> gets, and the laptop (this machine) reaches
/// the pod's session endpoint only through a port-forward stand-in. The developer's command is real curl.
/// </summary>
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
        var cluster = env.Pod.ClientNamespace.Name;
        using var orders = StartIn(cluster, [NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "Mirrord.TestApp.dll"), "orders", OrdersPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "9091", "5433"]);
        using var dns = StartIn(cluster, ["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=198.18.0.1", "--address=/orders.shop.svc.cluster.local/198.18.0.1"]);
        await using var portForward = await PortForwardStandIn.StartAsync(env.Pod);
        await Testing.Poll.UntilAsync(async () => (await env.Pod.Namespace.RunAsync("curl", "-sf", "-o", "/dev/null", $"http://198.18.0.1:{OrdersPort}/whoami")).ExitCode == 0, "the cluster's orders service");

        // Without exec the laptop has no way there: no route to the cluster's addresses, no name for the service.
        var direct = await RunAsync(["curl", "-sS", "--max-time", "3", $"http://orders:{OrdersPort}/whoami"]);
        Assert.NotEqual(0, direct.ExitCode);

        var result = await RunAsync([NamespacePod.Dotnet, Path.Combine(AppContext.BaseDirectory, "mirrord-cli.dll"), "exec", "--sidecar-address", portForward.Address, "--",
            "curl", "-sS", "-f", "-D", "-", $"http://orders:{OrdersPort}/whoami"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    private static BackgroundProgram StartIn(string networkNamespace, string[] command)
    {
        var start = new ProcessStartInfo("ip", ["netns", "exec", networkNamespace, .. command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BackgroundProgram(process);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>A program started for the test, stopped when the test ends.</summary>
    private sealed class BackgroundProgram(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    /// <summary>A STAND-IN for <c>kubectl port-forward</c> to the pod's session port: a loopback port whose connections reach 127.0.0.1:15081 inside the pod.</summary>
    private sealed class PortForwardStandIn : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public static Task<PortForwardStandIn> StartAsync(NamespacePod pod)
        {
            var forward = new PortForwardStandIn();
            forward._listener.Start();
            forward._accepting = forward.AcceptAsync(pod);
            return Task.FromResult(forward);
        }

        private async Task AcceptAsync(NamespacePod pod)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await using var session = await pod.Dial(_stop.Token);
                            var local = client.GetStream();
                            await Task.WhenAny(local.CopyToAsync(session, _stop.Token), session.CopyToAsync(local, _stop.Token));
                        }
                        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                        {
                            // Either end went away.
                        }
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
        }
    }
}
