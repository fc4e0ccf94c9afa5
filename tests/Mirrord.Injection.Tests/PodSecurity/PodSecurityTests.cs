using System.Text.Json.Nodes;

namespace Mirrord.Injection.Tests.PodSecurity;

/// <summary>
/// What injection does to a pod's standing under the Pod Security Standards: every golden pod is
/// checked before and after, and the only new violations are mirrord-init's, which docs/SECURITY.md names.
/// </summary>
public sealed class PodSecurityTests
{
    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void Injection_AddsToBaselineOnlyMirrordInitsCapabilities(string name)
    {
        var (before, after) = Pods(name);

        var added = PodSecurityStandard.Baseline(after).Except(PodSecurityStandard.Baseline(before)).ToList();

        Assert.Equal(Injected(before, after) ? ["capabilities NET_ADMIN, NET_RAW: mirrord-init"] : [], added);
    }

    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void Injection_AddsToRestrictedOnlyMirrordInitsRootAndCapabilities(string name)
    {
        var (before, after) = Pods(name);

        var added = PodSecurityStandard.Restricted(after).Except(PodSecurityStandard.Restricted(before)).Order(StringComparer.Ordinal).ToList();

        string[] expected = ["capabilities NET_ADMIN, NET_RAW: mirrord-init", "restricted capabilities: mirrord-init", "running as root: mirrord-init"];
        Assert.Equal(Injected(before, after) ? expected : [], added);
    }

    [Fact]
    public void Checker_FlagsWhatTheStandardsForbid()
    {
        var pod = JsonNode.Parse("""
            { "spec": { "hostNetwork": true, "volumes": [{ "name": "h", "hostPath": { "path": "/" } }],
                        "containers": [{ "name": "app", "securityContext": { "privileged": true, "capabilities": { "add": ["SYS_ADMIN"] } },
                                         "ports": [{ "containerPort": 80, "hostPort": 80 }] }] } }
            """)!.AsObject();

        Assert.Equal(
            ["capabilities SYS_ADMIN: app", "host namespaces: hostNetwork", "host ports: app", "hostPath volumes", "privileged: app"],
            PodSecurityStandard.Baseline(pod).Order(StringComparer.Ordinal));
        Assert.Contains("running as root: app", PodSecurityStandard.Restricted(pod));
        Assert.Contains("seccomp: app", PodSecurityStandard.Restricted(pod));
    }

    private static (JsonObject Before, JsonObject After) Pods(string name)
    {
        var golden = GoldenCase.Load(name);
        return (golden.Pod, golden.ExpectedPod.AsObject());
    }

    private static bool Injected(JsonObject before, JsonObject after)
        => (after["spec"]!["initContainers"]?.AsArray().Count ?? 0) > (before["spec"]!["initContainers"]?.AsArray().Count ?? 0);
}
