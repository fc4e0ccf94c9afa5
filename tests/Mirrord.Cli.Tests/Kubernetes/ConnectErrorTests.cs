using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>What the developer is told, and the exit code scripts see, when the target cannot be served.</summary>
public sealed class ConnectErrorTests
{
    [Fact]
    public async Task PodsWithoutTheSidecar_ExitNotInjected_SayingHowToOptIn()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0, injected: false);

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.Equal(6, result.Code);
        var message = Assert.Single(result.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("has no mirrord sidecar", message, StringComparison.Ordinal);
        Assert.Contains("mirrord.dev/status", message, StringComparison.Ordinal);
        Assert.Contains("kubectl label namespace shop mirrord.dev/injection=enabled", message, StringComparison.Ordinal);
        Assert.Contains("mirrord.dev/inject: \"true\"", message, StringComparison.Ordinal);
        Assert.Contains("kubectl rollout restart deployment/orders -n shop", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDeployment_ExitsTargetNotFound_NamingTheNamespace()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/payments", "-f", env.WriteConfig()));

        Assert.True(result.Code == 5, string.Join("\n", result.Lines));
        Assert.Contains(result.Lines, line => line == "error: deployment/payments not found in namespace shop (context fake)");
    }

    [Fact]
    public async Task DeploymentWithNoReadyPods_ExitsTargetNotFound()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.Equal(5, result.Code);
        Assert.Contains(result.Lines, line => line == "error: deployment/orders has no ready pods in namespace shop");
    }

    [Theory]
    [InlineData("orders", "error: --target: \"orders\" is not KIND/NAME")]
    [InlineData("service/orders", "error: --target: \"service\" is not a supported kind")]
    public async Task MalformedTarget_IsAUsageError(string target, string expected)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);

        var result = await RunAsync(env.ConnectArgs("--target", target));

        Assert.Equal(1, result.Code);
        Assert.Contains(result.Lines, line => line.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(35, "create")]
    [InlineData(35, "get")]
    [InlineData(34, "get")]
    public async Task PortForwardNotAllowed_IsToldBeforeAnyTrafficMoves_NamingTheVerbAndHowToCheckIt(int minor, string deniedVerb)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        env.Api.MinorVersion = minor;
        env.Api.Deny(deniedVerb, "pods/portforward");

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.True(result.Code == ExitCodes.KubernetesUnavailable, string.Join("\n", result.Lines));
        Assert.Equal(0, env.Api.PortForwards);
        var message = Assert.Single(result.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"your account may not {deniedVerb} pods/portforward on pod(s) orders-a in namespace shop (context fake)", message, StringComparison.Ordinal);
        Assert.Contains("kubectl auth can-i get pods/portforward -n shop && kubectl auth can-i create pods/portforward -n shop", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortForwardAllowedOnOtherPodsOnly_IsToldBeforeAnyTrafficMoves_NamingThePod()
    {
        // A Role that grants pods/portforward on some pods by name (resourceNames) is asked about the pods connect will use.
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        env.Publish(1);
        env.Api.DenyFor("get", "pods/portforward", "orders-b");

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.True(result.Code == ExitCodes.KubernetesUnavailable, string.Join("\n", result.Lines));
        Assert.Equal(0, env.Api.PortForwards);
        var message = Assert.Single(result.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("your account may not get pods/portforward on pod(s) orders-b in namespace shop", message, StringComparison.Ordinal);
        Assert.Contains("kubectl auth can-i get pods/orders-b --subresource=portforward -n shop", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeKubernetes135_CreateIsNotNeeded_AndConnectWorksWithGetAlone()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        var replica = env.Publish(0);
        env.Api.MinorVersion = 34;
        env.Api.Deny("create", "pods/portforward");

        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
    }

    [Fact]
    public async Task MissingKubeconfig_ExitsKubernetesUnavailable()
    {
        var result = await RunAsync(["connect", "--target", "deployment/orders", "--kubeconfig", "/nonexistent/kubeconfig"]);

        Assert.Equal(7, result.Code);
        Assert.Contains(result.Lines, line => line == "error: --kubeconfig /nonexistent/kubeconfig: no such file");
    }

    [Fact]
    public async Task UnknownContext_ExitsKubernetesUnavailable_NamingTheFlag()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);

        var result = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "--context", "production"));

        Assert.Equal(7, result.Code);
        Assert.Contains(result.Lines, line => line.StartsWith("error: --context production:", StringComparison.Ordinal));
    }

    private static async Task<(int Code, IReadOnlyList<string> Lines)> RunAsync(string[] args)
    {
        var cli = new CliSession(args);
        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, cli.Lines);
    }
}
