using System.Globalization;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// kubeconfigs as developers have them, read by <c>status</c> and <c>connect</c> against the FAKE
/// API server (HTTPS with its own CA): each edge either works as kubectl makes it work, or is an
/// error naming the kubeconfig field and context, with exit code 7.
/// </summary>
public sealed class KubeconfigTests
{
    [Fact]
    public async Task EmptyKubeconfig_ExitsKubernetesUnavailable_SayingItIsEmpty()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-empty-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "\n");
        try
        {
            var result = await StatusAsync(path);

            Assert.True(result.Code == 7, string.Join("\n", result.Lines));
            Assert.Contains($"error: --kubeconfig {path}: empty; it names no cluster, user or context", Error(result), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("gcp", "gke-gcloud-auth-plugin")]
    [InlineData("azure", "kubelogin")]
    public async Task LegacyAuthProvider_ExitsKubernetesUnavailable_NamingTheFieldAndItsReplacement(string provider, string replacement)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);
        var kubeconfig = env.WriteKubeconfig(user: $"auth-provider:\n  name: {provider}\n  config:\n    access-token: old-token");

        var result = await StatusAsync(kubeconfig);

        Assert.True(result.Code == 7, string.Join("\n", result.Lines));
        var error = Error(result);
        Assert.Contains($"context fake: user developer: auth-provider \"{provider}\" is not supported", error, StringComparison.Ordinal);
        Assert.Contains(replacement, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecPluginArguments_WithSpaces_ArriveWhole()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        var plugin = ExecPlugin(env.Api.Token);
        var kubeconfig = env.WriteKubeconfig(user: $"exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: {plugin}\n  args: [\"--profile\", \"my team's profile\", \"a \\\"quoted\\\" word\"]\n  interactiveMode: Never");

        var result = await StatusAsync(kubeconfig);

        Assert.True(result.Code == 0, string.Join("\n", result.Lines));
        Assert.Contains(result.Lines, line => line.StartsWith("pod orders-a (ready): sidecar 0.1.0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProxyUrl_CarriesTheApiRequestsAndThePortForwards()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        var replica = env.Publish(0);
        await using var proxy = ConnectProxy.Start();
        var kubeconfig = env.WriteKubeconfig(cluster: $"proxy-url: {proxy.Url}");

        await using var cli = await CliSession.StartAsync(["connect", "--kubeconfig", kubeconfig, "--local-port", env.Laptop.HttpPort.ToString(CultureInfo.InvariantCulture),
            "--target", "deployment/orders", "-f", env.WriteConfig()], registrations: 1);

        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
        Assert.True(proxy.Tunnels >= 2, $"{proxy.Tunnels} tunnel(s) through the proxy: the API requests and port-forwards went around it");
    }

    [Fact]
    public async Task Impersonation_IsSentWithEveryRequest_PortForwardsIncluded()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        var kubeconfig = env.WriteKubeconfig(user: $"token: {env.Api.Token}\nas: alice@example.com\nas-groups: [on-call]");

        var result = await StatusAsync(kubeconfig);

        Assert.True(result.Code == 0, string.Join("\n", result.Lines));
        var seen = env.Api.Impersonated;
        Assert.Contains(seen, request => request.Path == "/api/v1/namespaces/shop/pods" && request.User == "alice@example.com" && request.Groups.SequenceEqual(["on-call"]));
        Assert.Contains(seen, request => request.Path.EndsWith("/portforward", StringComparison.Ordinal) && request.User == "alice@example.com" && request.Groups.SequenceEqual(["on-call"]));
    }

    [Fact]
    public async Task ImpersonatingSeveralGroups_ExitsKubernetesUnavailable_RatherThanActingAsAnotherGroup()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        var kubeconfig = env.WriteKubeconfig(user: $"token: {env.Api.Token}\nas: alice@example.com\nas-groups: [developers, on-call]");

        var result = await StatusAsync(kubeconfig);

        Assert.True(result.Code == 7, string.Join("\n", result.Lines));
        Assert.Contains("context fake: user developer: as-groups lists 2 groups (developers, on-call)", Error(result), StringComparison.Ordinal);
        Assert.Empty(env.Api.Impersonated);
    }

    [Fact]
    public async Task TlsServerName_IsTheSniOfThePortForwardsToo()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1, tlsServerName: "api.cluster.example");
        var replica = env.Publish(0);

        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
        Assert.True(env.Api.PortForwards >= 2, $"{env.Api.PortForwards} port-forwards");
        List<string?> names;
        lock (env.Api.Certificates.SeenServerNames)
        {
            names = [.. env.Api.Certificates.SeenServerNames];
        }

        Assert.All(names, name => Assert.Equal("api.cluster.example", name));
    }

    [Fact]
    public async Task MergedKubeconfig_RelativePathsInTheSecondFile_AreRelativeToThatFile()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        var first = Directory.CreateTempSubdirectory("mirrord-kube-first-").FullName;
        var second = Directory.CreateTempSubdirectory("mirrord-kube-second-").FullName;
        try
        {
            // The first file only picks the context; the second holds the cluster, its CA in a file beside it.
            await File.WriteAllTextAsync(Path.Combine(first, "config"), "apiVersion: v1\nkind: Config\ncurrent-context: fake\n");
            await File.WriteAllTextAsync(Path.Combine(second, "ca.crt"), env.Api.Certificates.CaPem);
            var text = env.Api.KubeconfigText()
                .Replace($"certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(env.Api.Certificates.CaPem))}", "certificate-authority: ca.crt", StringComparison.Ordinal)
                .Replace("current-context: fake\n", string.Empty, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(second, "config"), text);

            var result = await CliRunner.RunWithEnvironmentAsync(
                new Dictionary<string, string> { ["KUBECONFIG"] = $"{Path.Combine(first, "config")}:{Path.Combine(second, "config")}" },
                "status", "--target", "deployment/orders");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(result.Lines, line => line.StartsWith("pod orders-a (ready): sidecar 0.1.0", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [Theory]
    [InlineData("sessions")]
    [InlineData("sessions kill --all")]
    [InlineData("status --target deployment/orders")]
    public async Task ApiServerUnreachable_ExitsKubernetesUnavailable_SayingSo_WithoutAStackTrace(string command)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 0);
        var nobodyListens = $"https://127.0.0.1:{Mirrord.Testing.FreePort.Next()}";
        var kubeconfig = env.WriteKubeconfig();
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(kubeconfig)).Replace(env.Api.Address.ToString().TrimEnd('/'), nobodyListens, StringComparison.Ordinal));

        var cli = new CliSession([.. command.Split(' '), "--kubeconfig", kubeconfig]);
        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 7, string.Join("\n", cli.Lines));
        Assert.Contains("cannot reach the API server", Error((code, cli.Lines)), StringComparison.Ordinal);
        Assert.DoesNotContain(cli.Lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    private static string Error((int Code, IReadOnlyList<string> Lines) result) => Assert.Single(result.Lines, line => line.StartsWith("error:", StringComparison.Ordinal));

    private static async Task<(int Code, IReadOnlyList<string> Lines)> StatusAsync(string kubeconfig)
    {
        var cli = new CliSession(["status", "--kubeconfig", kubeconfig, "--target", "deployment/orders"]);
        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, cli.Lines);
    }

    /// <summary>An exec credential plugin that answers with the token only when its arguments arrive exactly as written.</summary>
    private static string ExecPlugin(string token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrord-exec-plugin-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, $$$"""
            #!/bin/sh
            if [ "$#" -ne 3 ] || [ "$1" != "--profile" ] || [ "$2" != "my team's profile" ] || [ "$3" != 'a "quoted" word' ]; then
              echo "unexpected arguments ($#): $*" >&2
              exit 1
            fi
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{token}}}"}}'
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
