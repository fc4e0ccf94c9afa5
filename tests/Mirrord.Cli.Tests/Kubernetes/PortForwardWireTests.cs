using System.Text;
using Mirrord.Cli.Kubernetes;
using Mirrord.Testing;
using Mirrord.Testing.Kubernetes;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// The port-forward as the API server and kubelet serve it (the FAKE one follows them): refusals
/// told apart by their body, a pod port with nothing behind it, and messages larger than one
/// WebSocket read.
/// </summary>
public sealed class PortForwardWireTests
{
    [Fact]
    public async Task RefusedSubprotocol_IsToldApartFromAMissingPermission()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        env.Api.PortForwardProtocols = ["v5.channel.k8s.io"];

        var (code, lines) = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.True(code == ExitCodes.SidecarUnreachable, string.Join("\n", lines));
        var error = Assert.Single(lines, line => line.StartsWith("error:", StringComparison.Ordinal) || line.Contains("port-forward to pod orders-a", StringComparison.Ordinal));
        Assert.Contains("refused the WebSocket subprotocol v4.channel.k8s.io (403 without a Status)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("pods/portforward", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodPortWithNothingListening_ReportsTheKubeletsError()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0, sessionPort: FreePort.Next());

        var (code, lines) = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.True(code == ExitCodes.SidecarUnreachable, string.Join("\n", lines));
        Assert.Contains(lines, line => line.Contains("error forwarding port 15081 to pod orders-a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessagesLargerThanOneRead_ArriveWholeBothWays()
    {
        await using var api = await FakeKubeApiServer.StartAsync("shop");
        await using var echo = TcpEchoServer.Start("echo");
        api.AddPod("db-0", new Dictionary<string, string> { ["app"] = "db" }, new Dictionary<int, int> { [5432] = echo.Port });
        var kubeconfig = api.WriteKubeconfig();
        using var kube = KubeContext.Create(kubeconfig, null, null, null);

        await using var stream = await PortForwardDialer.For(kube, "db-0", 5432)(CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("HELLO from echo", await reader.ReadLineAsync());

        // One write, one WebSocket message of 300 KB: the kubelet reads it in pieces and must route them all to the data channel.
        var line = string.Concat(Enumerable.Range(0, 300 * 1024 / 26).Select(_ => "abcdefghijklmnopqrstuvwxyz"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
        Assert.Equal(line.ToUpperInvariant(), await reader.ReadLineAsync());
        File.Delete(kubeconfig);
    }

    private static async Task<(int Code, IReadOnlyList<string> Lines)> RunAsync(string[] args)
    {
        var cli = new CliSession(args);
        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, cli.Lines);
    }
}
