using System.Text.Json.Nodes;
using k8s.Models;
using Mirrord.Cli.Tests.Variables;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// <c>mirrord-cli env</c> and <c>exec</c>'s environment against the fake API server: the target container's variables
/// read with the developer's credentials (ConfigMap, Secret, fieldRef, service links), a Secret the developer may not
/// read named with the <c>kubectl auth can-i</c> that would allow it, and the rest written.
/// </summary>
public sealed class EnvCommandTests
{
    private static V1PodSpec Spec() => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "app",
                EnvFrom = [EnvSpec.ConfigMap("orders-settings")],
                Env =
                [
                    EnvSpec.Value("DB_HOST", "postgres"),
                    EnvSpec.Value("DB_URL", "postgres://$(DB_HOST):5432/orders"),
                    EnvSpec.SecretKey("DB_PASSWORD", "orders-db", "password"),
                    EnvSpec.Field("POD_IP", "status.podIP"),
                    EnvSpec.Value("PATH", "/app/bin"),
                ],
            },
        ],
    };

    private static async Task<TargetEnvironment> StartAsync()
    {
        var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Api.PutConfigMap("shop", "orders-settings", new Dictionary<string, string> { ["REGION"] = "eu-west-1", ["MODE"] = "live" });
        env.Api.PutSecret("shop", "orders-db", new Dictionary<string, string> { ["password"] = "s3cret" });
        env.Api.PutService("shop", "payments", "10.96.7.7", ("http", 8080, "TCP"));
        env.Publish(0, spec: Spec());
        return env;
    }

    [Fact]
    public async Task Env_Json_HasTheContainersVariablesAsTheKubeletResolvesThem()
    {
        await using var env = await StartAsync();

        var result = await CliRunner.RunAsync("env", "--kubeconfig", env.Kubeconfig, "--target", "deployment/orders", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var variables = JsonNode.Parse(result.Output)!.AsObject();
        Assert.Equal("eu-west-1", variables["REGION"]!.GetValue<string>());
        Assert.Equal("postgres://postgres:5432/orders", variables["DB_URL"]!.GetValue<string>());
        Assert.Equal("s3cret", variables["DB_PASSWORD"]!.GetValue<string>());
        Assert.Equal("10.244.1.7", variables["POD_IP"]!.GetValue<string>());
        Assert.Equal("10.96.7.7", variables["PAYMENTS_SERVICE_HOST"]!.GetValue<string>());
        Assert.Equal("tcp://10.96.7.7:8080", variables["PAYMENTS_PORT"]!.GetValue<string>());

        // mirrord never copies the pod's PATH (the laptop's programs would not be found).
        Assert.False(variables.ContainsKey("PATH"));
        Assert.Contains("from container app of pod orders-a (deployment/orders, namespace shop)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_ASecretTheDeveloperMayNotRead_IsNamedWithTheCanI_AndTheRestIsWritten()
    {
        await using var env = await StartAsync();
        env.Api.DenyFor("get", "secrets", "orders-db");

        var result = await CliRunner.RunAsync("env", "--kubeconfig", env.Kubeconfig, "--target", "deployment/orders");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: Secret shop/orders-db cannot be read with your credentials, so its variables are left out: kubectl auth can-i get secrets/orders-db -n shop", result.Error, StringComparison.Ordinal);
        Assert.Contains("REGION=eu-west-1\n", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DB_PASSWORD", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_LaunchSettings_IsAProfileWithTheVariables_AndFeatureEnvApplies()
    {
        await using var env = await StartAsync();
        var config = CliRunner.WriteConfig("""{ "target": "deployment/orders", "feature": { "env": { "exclude": ["DB_*"], "override": { "MODE": "debug" } } } }""");

        var result = await CliRunner.RunAsync("env", "--kubeconfig", env.Kubeconfig, "-f", config, "-o", "launchsettings");

        Assert.True(result.ExitCode == 0, result.ToString());
        var variables = JsonNode.Parse(result.Output)!["profiles"]!["mirrord"]!["environmentVariables"]!.AsObject();
        Assert.Equal("debug", variables["MODE"]!.GetValue<string>());
        Assert.False(variables.ContainsKey("DB_URL"));
        Assert.True(variables.ContainsKey("REGION"));
    }

    [Fact]
    public async Task Exec_TheCommandGetsThePodsEnvironment()
    {
        await using var env = await StartAsync();

        var result = await CliRunner.RunAsync(
            "exec", "--kubeconfig", env.Kubeconfig, "--target", "deployment/orders", "--",
            "sh", "-c", "echo \"region=$REGION password=$DB_PASSWORD proxy=${HTTP_PROXY%%:*}\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("region=eu-west-1 password=s3cret proxy=http", result.Output, StringComparison.Ordinal);
        Assert.Contains("the command gets", result.Output, StringComparison.Ordinal);
    }
}
