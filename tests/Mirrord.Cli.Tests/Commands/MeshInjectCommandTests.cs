namespace Mirrord.Cli.Tests.Commands;

/// <summary>
/// <c>inject</c> and <c>check-inject</c> on meshed workloads: the mesh is seen from a Namespace
/// document in the input, from the namespace flags or from the pod, and every line says where the redirect sits.
/// </summary>
public sealed class MeshInjectCommandTests
{
    private static string Manifest(string name) => Path.Combine(AppContext.BaseDirectory, "testassets", "manifests", name);

    [Fact]
    public async Task CheckInject_NamespaceDocumentsInTheInput_DecideEachWorkloadsRedirect()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("meshed-namespaces.yaml"));

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n');
        var ledger = Array.FindIndex(lines, l => l.StartsWith("deployment/ledger: would be injected", StringComparison.Ordinal));
        var orders = Array.FindIndex(lines, l => l.StartsWith("deployment/orders: would be injected", StringComparison.Ordinal));
        Assert.Contains("namespace label istio-injection=enabled", lines[ledger], StringComparison.Ordinal);
        Assert.Equal("  redirect: behind-istio (behind Istio's sidecar: decrypted requests from Envoy (nat OUTPUT))", lines[ledger + 1]);
        Assert.Equal("  redirect: iptables (no service mesh: inbound connections (nat PREROUTING))", lines[orders + 1]);
    }

    [Fact]
    public async Task Inject_NamespaceAnnotationForLinkerd_PutsTheRedirectBehindLinkerdProxy()
    {
        var result = await CliRunner.RunAsync("inject", "-f", Manifest("rendered.yaml"), "--namespace-labels", "mirrord.dev/injection=enabled", "--namespace-annotations", "linkerd.io/inject=enabled");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("- --behind\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("- linkerd\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  redirect: behind-linkerd", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be seen", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inject_WithoutAnythingAboutTheNamespace_WarnsOnceThatANamespaceWideMeshCannotBeSeen()
    {
        var result = await CliRunner.RunAsync("inject", "-f", Manifest("rendered.yaml"));

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Error.Split('\n'), l => l.StartsWith("warning: no --namespace-labels, --namespace-annotations or Namespace document", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckInject_AmbientNamespace_WouldNotInject_AndSaysWhatToDo()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("rendered.yaml"), "--namespace-labels", "mirrord.dev/injection=enabled,istio.io/dataplane-mode=ambient");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("deployment/orders: would not be injected: Istio's ambient mode", result.Output, StringComparison.Ordinal);
        Assert.Contains("istio.io/dataplane-mode=none", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceAnnotations_AValueWithCommas_IsOneAnnotation_AsAPolicyOfSeveralRulesIs()
    {
        var result = await CliRunner.RunAsync(
            "check-inject", "-f", Manifest("rendered.yaml"), "--namespace-labels", "mirrord.dev/injection=enabled",
            "--namespace-annotations", """mirrord.dev/policy={"allowedModes":["steal","mirror"],"maxSessionsPerPod":2},linkerd.io/inject=enabled""");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("policy: allowed modes: steal, mirror", result.Lines);
        Assert.Contains("policy: at most 2 session(s) per pod", result.Lines);
        Assert.Contains("redirect: behind-linkerd", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceAnnotations_NotKeyValue_IsAUsageErrorNamingTheFlag()
    {
        var result = await CliRunner.RunAsync("check-inject", "-f", Manifest("rendered.yaml"), "--namespace-annotations", "linkerd.io/inject");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: --namespace-annotations: \"linkerd.io/inject\" is not key=value", result.Error, StringComparison.Ordinal);
    }
}
