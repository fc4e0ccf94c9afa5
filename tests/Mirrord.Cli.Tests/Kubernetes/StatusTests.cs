using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary><c>mirrord-cli status</c>: what each pod carries and which sessions hold it.</summary>
public sealed class StatusTests
{
    [Fact]
    public async Task Status_ListsEachPodWithItsSidecarAndTheSessionsWithFilters()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0, redirect: "behind-istio", spec: new k8s.Models.V1PodSpec
        {
            Containers =
            [
                new k8s.Models.V1Container
                {
                    Name = "orders",
                    Ports = [new k8s.Models.V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                    LivenessProbe = new k8s.Models.V1Probe { HttpGet = new k8s.Models.V1HTTPGetAction { Path = "/health/live", Port = "http" } },
                    ReadinessProbe = new k8s.Models.V1Probe { Exec = new k8s.Models.V1ExecAction { Command = ["true"] } },
                },
            ],
        });
        env.Publish(1, injected: false);
        await using var cli = await CliSession.StartAsync(
            env.ConnectArgs("--target", "pod/orders-a", "-f", env.WriteConfig(), "--name", "alice@laptop", "--key", "alice-42"), registrations: 1);
        await env.Replicas[0].ServedByAsync("alice");

        var status = new CliSession(["status", "--kubeconfig", env.Kubeconfig, "--target", "deployment/orders"]);
        Assert.Equal(0, await status.Exited.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(status.Lines.Contains("pod orders-a (ready): sidecar 0.1.0, ports 8080, redirect behind-istio: behind Istio's sidecar: decrypted requests from Envoy (nat OUTPUT)"), string.Join("\n", status.Lines));
        Assert.Contains("  probes that reach the app whatever a session says: GET /health/live on port 8080 (orders liveness)", status.Lines);
        var session = Assert.Single(status.Lines, line => line.Contains("alice@laptop", StringComparison.Ordinal));
        Assert.Contains("steal, header \"^X-Dev: alice$\" on ports", session, StringComparison.Ordinal);
        Assert.Contains("(key alice-42, owner", session, StringComparison.Ordinal);
        Assert.Contains("1 stolen, 0 mirrored", session, StringComparison.Ordinal);
        Assert.Contains(status.Lines, line => line.StartsWith("pod orders-b (ready): no mirrord sidecar [the pod has no mirrord.dev/status annotation]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_Json_GivesOneObjectPerPod()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);

        var status = new CliSession(["status", "--kubeconfig", env.Kubeconfig, "--target", "deployment/orders", "-o", "json"]);
        Assert.Equal(0, await status.Exited.WaitAsync(TimeSpan.FromSeconds(30)));

        using var pod = System.Text.Json.JsonDocument.Parse(Assert.Single(status.Lines));
        Assert.True(pod.RootElement.GetProperty("problem").ValueKind == System.Text.Json.JsonValueKind.Null, status.Lines[0]);
        Assert.Equal("orders-a", pod.RootElement.GetProperty("pod").GetString());
        Assert.Equal("0.1.0", pod.RootElement.GetProperty("sidecar").GetProperty("version").GetString());
        Assert.Equal("iptables", pod.RootElement.GetProperty("sidecar").GetProperty("redirect").GetString());
        Assert.Equal(0, pod.RootElement.GetProperty("sessions").GetArrayLength());
    }
}
