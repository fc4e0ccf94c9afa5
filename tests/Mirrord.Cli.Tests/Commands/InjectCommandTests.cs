using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Tests.Commands;

/// <summary><c>mirrord-cli inject</c> and <c>check-inject</c> on rendered manifests, as a GitOps pipeline runs them.</summary>
public sealed class InjectCommandTests
{
    private static string Manifest(string name) => Path.Combine(AppContext.BaseDirectory, "testassets", "manifests", name);

    [Fact]
    public async Task Inject_ChangesOnlyTheWorkloadsThatOptIn_AndLeavesEveryOtherDocumentAsWritten()
    {
        var source = await File.ReadAllTextAsync(Manifest("rendered.yaml"));

        var result = await CliRunner.RunAsync("inject", "-f", Manifest("rendered.yaml"));

        Assert.Equal(0, result.ExitCode);
        var documents = result.Output.Split("\n---\n");
        var originals = source.Split("\n---\n");
        Assert.Equal(originals[0], documents[0]);
        Assert.Equal(originals[2], documents[2]);
        var deployment = Load(documents[1]);
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(deployment, "spec", "template"));
        Assert.Equal("2", Scalar(deployment, "spec", "replicas").Value);
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, Scalar(deployment, "spec", "template", "metadata", "labels", "version").Style);
        Assert.Contains("deployment/orders: injected: namespace shop is opted in", result.Error, StringComparison.Ordinal);
        Assert.Contains("cronjob/nightly: unchanged: the pod opts out with mirrord.dev/inject: \"false\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inject_OverItsOwnOutput_ChangesNothing()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mirrord-injected-{Guid.NewGuid():N}.yaml");
        try
        {
            Assert.Equal(0, (await CliRunner.RunAsync("inject", "-f", Manifest("every-kind.yaml"), "-o", output)).ExitCode);
            var once = await File.ReadAllTextAsync(output);

            var twice = await CliRunner.RunAsync("inject", "-f", output);

            Assert.Equal(0, twice.ExitCode);
            Assert.Equal(once, twice.Output);
            Assert.Contains("already carries the mirrord sidecar", twice.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Inject_EveryWorkloadKind_GetsTheSidecarInItsPodTemplate()
    {
        var result = await CliRunner.RunWithInputAsync(await File.ReadAllTextAsync(Manifest("every-kind.yaml")), "inject", "-f", "-");

        Assert.Equal(0, result.ExitCode);
        var documents = result.Output.Split("\n---\n").Select(Load).ToList();
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[0]));
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[1], "spec", "template"));
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[2], "spec", "template"));
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[3], "spec", "template"));
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[4], "spec", "template"));
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames(documents[5], "spec", "jobTemplate", "spec", "template"));
    }

    [Fact]
    public async Task Inject_AWorkloadTheWebhookWouldDeny_FailsAndWritesNothing()
    {
        var input = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: orders
            spec:
              template:
                metadata:
                  annotations:
                    mirrord.dev/config: '{"http_filter": {"path_filter": "^/api/(v1"}}'
                spec:
                  containers:
                  - name: app
                    image: shop/orders:1
                    ports:
                    - containerPort: 8080
            """;
        var output = Path.Combine(Path.GetTempPath(), $"mirrord-denied-{Guid.NewGuid():N}.yaml");

        var result = await CliRunner.RunWithInputAsync(input, "inject", "-f", "-", "-o", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("deployment/orders: denied: annotation mirrord.dev/config: feature.network.incoming.http_filter.path_filter: invalid regex", result.Error, StringComparison.Ordinal);
        Assert.Contains("error: nothing was written", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Inject_BrokenYaml_ExitsTwoNamingTheDocument()
    {
        var result = await CliRunner.RunWithInputAsync("kind: Service\n---\nkind: Pod\nmetadata: [unclosed\n", "inject", "-f", "-");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --file -: document 2:", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0, "deployment/orders: would not be injected: neither the pod (mirrord.dev/inject) nor namespace shop (mirrord.dev/injection) opts in")]
    [InlineData("mirrord.dev/injection=enabled,team=payments", 0, "deployment/orders: would be injected: namespace shop is labelled mirrord.dev/injection=enabled")]
    [InlineData("mirrord.dev/injection=disabled", 0, "deployment/orders: would not be injected: namespace shop is labelled mirrord.dev/injection=disabled")]
    public async Task CheckInject_ExplainsTheDecisionForTheNamespaceLabels(string? labels, int exitCode, string expected)
    {
        string[] args = labels is null
            ? ["check-inject", "-f", Manifest("rendered.yaml")]
            : ["check-inject", "-f", Manifest("rendered.yaml"), "--namespace-labels", labels];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.Lines);
        Assert.Contains("cronjob/nightly: would not be injected: the pod opts out with mirrord.dev/inject: \"false\"", result.Lines);
    }

    [Fact]
    public async Task Inject_AKubectlList_IsInjectedInside_NamingEachItem()
    {
        var result = await CliRunner.RunAsync("inject", "-f", Manifest("kubectl-list.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var list = Load(result.Output);
        var items = (YamlSequenceNode)list.Children[new YamlScalarNode("items")];
        Assert.Equal(["mirrord-init", "mirrord-sidecar"], InitContainerNames((YamlMappingNode)items[0], "spec", "template"));
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, Scalar((YamlMappingNode)items[0], "spec", "template", "metadata", "annotations", "mirrord.dev/inject").Style);
        Assert.False(((YamlMappingNode)Scalar2((YamlMappingNode)items[2], "spec", "template", "spec")).Children.ContainsKey(new YamlScalarNode("initContainers")));
        Assert.Contains("deployment/orders (List item 1): injected: the pod has mirrord.dev/inject: \"true\"", result.Error, StringComparison.Ordinal);
        Assert.Contains("deployment/payments (List item 3): unchanged: the pod opts out", result.Error, StringComparison.Ordinal);

        // Injecting the output again changes nothing.
        var again = await CliRunner.RunWithInputAsync(result.Output, "inject", "-f", "-");
        Assert.Equal(result.Output, again.Output);
    }

    [Fact]
    public async Task CheckInject_ShowsEachProbeRewrite()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("kubectl-list.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("probe: container app: its tcpSocket livenessProbe on port 8080 now asks the sidecar (httpGet :15082/app-tcp/8080), which dials the app's port: " +
            "the probe fails when the app does, not only when the sidecar does", result.Lines);
    }

    [Fact]
    public async Task CheckInject_ShowsTheNamespacesPolicy_AsTheSidecarWillEnforceIt()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("policy-namespace.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("policy: allowed modes: steal, mirror", result.Lines);
        Assert.Contains("policy: at most 2 session(s) per pod", result.Lines);
    }

    [Fact]
    public async Task Inject_SaysWhichPolicyItFroze_AndThatAdmissionReplacesIt()
    {
        var result = await CliRunner.RunAsync("inject", "-f", Manifest("policy-namespace.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.TrimEntries);
        var frozen = Array.FindIndex(lines, line => line.StartsWith("policy frozen into the sidecar (at admission the webhook replaces it", StringComparison.Ordinal));
        Assert.True(frozen > 0, result.ToString());
        Assert.Equal("policy: allowed modes: steal, mirror", lines[frozen + 1]);
    }

    [Fact]
    public async Task CheckInject_WithTheClusterPolicy_CombinesItAsTheWebhookDoes_AndRefusesABadOne()
    {
        var good = CliRunner.WriteConfig("""{ "maxSessionsPerPod": 1, "protectedPorts": [5432] }""");
        var bad = CliRunner.WriteConfig("""{ "maxSessionsPerPod": "one" }""");
        try
        {
            var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("policy-namespace.yaml"), "--cluster-policy", good);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("policy: at most 1 session(s) per pod", result.Lines);
            Assert.Contains("policy: never stolen: port(s) 5432", result.Lines);

            var refused = await CliRunner.RunAsync("check-inject", "-f", Manifest("policy-namespace.yaml"), "--cluster-policy", bad);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"error: --cluster-policy {bad}: maxSessionsPerPod: must be a whole number", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task CheckInject_MalformedLabels_IsAUsageError()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("rendered.yaml"), "--namespace-labels", "enabled");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: --namespace-labels: \"enabled\" is not key=value", result.Error, StringComparison.Ordinal);
    }

    private static YamlMappingNode Load(string document)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(document));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Scalar2(YamlMappingNode root, params string[] path)
        => path.Aggregate<string, YamlNode>(root, (node, key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)]);

    private static YamlScalarNode Scalar(YamlMappingNode root, params string[] path)
        => (YamlScalarNode)path.Aggregate<string, YamlNode>(root, (node, key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)]);

    private static string[] InitContainerNames(YamlMappingNode root, params string[] templatePath)
    {
        var template = (YamlMappingNode)templatePath.Aggregate<string, YamlNode>(root, (node, key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)]);
        var init = (YamlSequenceNode)((YamlMappingNode)template.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("initContainers")];
        return [.. init.Children.Select(c => ((YamlScalarNode)((YamlMappingNode)c).Children[new YamlScalarNode("name")]).Value!)];
    }
}
