using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Injection;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Kubernetes;

/// <summary>
/// Platform guardrails end to end: a policy in the sidecar (as the webhook writes it) refuses or
/// ends sessions with the rule named, <c>sessions</c> lists and kills them across replicas, and
/// every session leaves Events on its pod (in the FAKE API server) and audit lines in the sidecar.
/// </summary>
public sealed class GuardrailTests
{
    private const string PinXDev = """{ "requiredHeaderFilter": "^\\^?X-Dev: ", "allowedModes": ["steal", "mirror"] }""";

    [Fact]
    public async Task NamespacePolicy_FlowsFromTheAnnotationThroughTheInjector_AndTheSidecarRefusesWhatItForbids()
    {
        // What the webhook writes into the sidecar for a namespace annotated with the policy.
        var injected = new PodInjector(new InjectionOptions()).Inject(
            JsonNode.Parse("""{ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "orders" }, "spec": { "containers": [ { "name": "app", "image": "a", "ports": [ { "containerPort": 8080 } ] } ] } }""")!.AsObject(),
            new InjectionContext("shop", new Dictionary<string, string> { ["mirrord.dev/injection"] = "enabled" }, new Dictionary<string, string> { [PodAnnotations.NamespacePolicy] = PinXDev }));
        var policy = injected.Patch.Operations.SelectMany(op => op.Value is JsonArray array ? array : []).OfType<JsonObject>()
            .SelectMany(container => container["env"] as JsonArray ?? []).Single(env => env!["name"]!.GetValue<string>() == "MIRRORD_Sidecar__Policy")!["value"]!.GetValue<string>();
        await using var env = await TargetEnvironment.StartAsync(replicas: 1, sidecarSettings: new Dictionary<string, string?> { ["Sidecar:Policy"] = policy });
        var replica = env.Publish(0);

        var refused = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig(null, "\"header_filter\": \"^X-User: bob$\"")));

        Assert.True(refused.Code == ExitCodes.PolicyRefused, string.Join("\n", refused.Lines));
        Assert.Contains(refused.Lines, line => line.Contains("the pod's session policy does not allow this session (required-header-filter)", StringComparison.Ordinal));
        Assert.Equal(replica.Name, await replica.ServedByAsync("alice"));

        await using var allowed = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);
        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
    }

    [Theory]
    [InlineData("""{ "allowedModes": ["mirror"] }""", "\"header_filter\": \"^X-Dev: alice$\"", "allowed-modes")]
    [InlineData("""{ "maxSessionsPerPod": 0 }""", "\"header_filter\": \"^X-Dev: alice$\"", "max-sessions-per-pod")]
    public async Task EachRule_RefusesEndToEnd_WithItsExitCode_AndIsCountedAndAudited(string policy, string filter, string rule)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1, sidecarSettings: new Dictionary<string, string?> { ["Sidecar:Policy"] = policy });
        var replica = env.Publish(0);

        var refused = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig(null, filter)));

        Assert.True(refused.Code == ExitCodes.PolicyRefused, string.Join("\n", refused.Lines));
        Assert.Contains(refused.Lines, line => line.Contains($"({rule})", StringComparison.Ordinal));
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{replica.Sidecar.HealthPort}/metrics");
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_policy_refusals_total", ("rule", rule)));
        Assert.Equal(1, MetricsText.Counter(metrics, "mirrord_sessions_total", ("outcome", "refused")));
        var audit = JsonDocument.Parse(Assert.Single(replica.Sidecar.AuditLines)).RootElement;
        Assert.Equal("session-refused", audit.GetProperty("audit").GetString());
        Assert.Equal(rule, audit.GetProperty("rule").GetString());
        Assert.Equal("developer", audit.GetProperty("owner").GetProperty("kubeUser").GetString());
    }

    [Theory]
    [InlineData("""{ "allowedModes": ["steal"] }""")]
    [InlineData("""{ "maxSessionsPerPod": 1 }""")]
    [InlineData("""{ "requiredHeaderFilter": ["^\\^?X-Dev: ", "alice"] }""")]
    [InlineData("""{ "maxSessionLifetime": "01:00:00" }""")]
    public async Task EachRule_AllowsASessionWithinIt(string policy)
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1, sidecarSettings: new Dictionary<string, string?> { ["Sidecar:Policy"] = policy });
        var replica = env.Publish(0);

        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
        Assert.Contains("\"audit\":\"session-started\"", Assert.Single(replica.Sidecar.AuditLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtectedPort_IsNeverStolen_AndASessionThatNamesItIsRefused()
    {
        await using var env = await TargetEnvironment.StartAsync(
            replicas: 1, tlsServerName: null, sidecarSettingsFor: port => new Dictionary<string, string?> { ["Sidecar:Policy"] = $$"""{ "protectedPorts": [{{port}}] }""" });
        var replica = env.Publish(0);

        await using (var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1))
        {
            Assert.Equal(replica.Name, await replica.ServedByAsync("alice"));
        }

        // The audit line names the ports the session really filters: none here, the only one being protected.
        var started = JsonDocument.Parse(replica.Sidecar.AuditLines.First(line => line.Contains("\"session-started\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal(0, started.GetProperty("filterPorts").GetArrayLength());

        var port = replica.App.HttpPort.ToString(CultureInfo.InvariantCulture);
        var naming = CliRunner.WriteConfig($$"""{ "feature": { "network": { "incoming": { "mode": "steal", "ports": [{{port}}], "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [{{port}}] } } } } }""");
        var refused = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", naming));
        Assert.True(refused.Code == ExitCodes.PolicyRefused, string.Join("\n", refused.Lines));
        Assert.Contains(refused.Lines, line => line.Contains($"(protected-ports): port(s) {port} may never be stolen", StringComparison.Ordinal));
        File.Delete(naming);
    }

    [Fact]
    public async Task ARefusalOnOneReplica_LeavesTheSessionStealingOnNone()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2, sidecarSettings: new Dictionary<string, string?> { ["Sidecar:Policy"] = """{ "maxSessionsPerPod": 1 }""" });
        var first = env.Publish(0);
        var second = env.Publish(1);

        // Someone already holds the only session orders-b allows.
        await using var other = await CliSession.StartAsync(
            ["connect", "--sidecar-address", $"127.0.0.1:{second.Sidecar.SessionPort}", "--local-port", env.Laptop.HttpPort.ToString(CultureInfo.InvariantCulture), "--mode", "mirror"], registrations: 1);

        var refused = await RunAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()));

        Assert.True(refused.Code == ExitCodes.PolicyRefused, string.Join("\n", refused.Lines));
        Assert.Contains(refused.Lines, line => line.Contains("max-sessions-per-pod", StringComparison.Ordinal));

        // The session orders-a had accepted is withdrawn when its control connection closes; a request that
        // reaches orders-a before the sidecar has seen the close is answered 502 session-ended, never stolen.
        await Poll.UntilAsync(() => first.Sidecar.ActiveSessions == 0, "the session on orders-a was withdrawn");
        Assert.Equal(first.Name, await first.ServedByAsync("alice"));
        Assert.Equal(second.Name, await second.ServedByAsync("alice"));
    }

    [Fact]
    public async Task MaximumLifetime_EndsTheSession_AndConnectSaysWhy()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var env = await TargetEnvironment.StartAsync(replicas: 1, sidecarSettings: new Dictionary<string, string?> { ["Sidecar:Policy"] = """{ "maxSessionLifetime": "00:00:03" }""" }, sidecarTime: clock);
        var replica = env.Publish(0);
        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);
        Assert.Equal("laptop", await replica.ServedByAsync("alice"));

        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(ExitCodes.PolicyRefused, await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(cli.Lines, line => line.Contains("maximum session lifetime (3 s, policy rule max-session-lifetime)", StringComparison.Ordinal));
        Assert.Equal(replica.Name, await replica.ServedByAsync("alice"));
    }

    [Fact]
    public async Task Sessions_AreListedAcrossReplicas_AndAKilledSessionsDeveloperIsTold()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        env.Publish(1);
        await using var alice = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig(), "--name", "alice@laptop", "--key", "alice-42"), registrations: 2);

        var listed = await RunAsync(["sessions", "--kubeconfig", env.Kubeconfig, "-n", "shop"]);

        Assert.Equal(0, listed.Code);
        Assert.Equal(2, listed.Lines.Count(line => line.Contains("alice@laptop", StringComparison.Ordinal)));
        Assert.All(listed.Lines.Where(line => line.StartsWith("pod ", StringComparison.Ordinal)), line =>
            Assert.Contains($"key alice-42  owner local user {Environment.UserName}, kube user developer, context fake (self-declared)", line, StringComparison.Ordinal));
        var id = listed.Lines.First(line => line.StartsWith("pod orders-a", StringComparison.Ordinal)).Split("session ")[1].Split(' ')[0];

        var killed = await RunAsync(["sessions", "kill", id, "--kubeconfig", env.Kubeconfig, "-n", "shop"]);

        Assert.Equal(0, killed.Code);
        Assert.Contains($"ended session {id} on pod orders-a", killed.Lines);
        Assert.Equal(ExitCodes.EndedByAdministrator, await alice.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(alice.Lines, line => line.Contains("an administrator ended the session (local user", StringComparison.Ordinal));
        Assert.Equal(env.Replicas[1].Name, await env.Replicas[1].ServedByAsync("alice"));
        Assert.Contains(env.Replicas[0].Sidecar.AuditLines, line => line.Contains("\"outcome\":\"killed\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KillAll_EndsEverySessionOnTheNamespacesPods()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 2);
        env.Publish(0);
        env.Publish(1);
        await using var alice = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 2);

        var killed = await RunAsync(["sessions", "kill", "--all", "--kubeconfig", env.Kubeconfig, "-n", "shop"]);

        // The first kill ends connect, which may end its other session itself before the second kill arrives.
        Assert.Equal(0, killed.Code);
        Assert.Contains(killed.Lines, line => line.StartsWith("ended session ", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.EndedByAdministrator, await alice.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        var after = await RunAsync(["sessions", "--kubeconfig", env.Kubeconfig, "-n", "shop"]);
        Assert.DoesNotContain(after.Lines, line => line.StartsWith("pod ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EndingAnotherDevelopersSession_NeedsPodsExec_APortForwardIsNotEnough()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        await using var alice = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig(), "--name", "alice@laptop"), registrations: 1);
        var listed = await RunAsync(["sessions", "--kubeconfig", env.Kubeconfig, "-n", "shop"]);
        var id = listed.Lines.First(line => line.StartsWith("pod orders-a", StringComparison.Ordinal)).Split("session ")[1].Split(' ')[0];

        // Mallory may port-forward (she sees the session) but not exec: the CLI says which permission is missing.
        env.Api.Deny("create", "pods/exec");
        var refused = await RunAsync(["sessions", "kill", id, "--kubeconfig", env.Kubeconfig, "-n", "shop"]);

        Assert.True(refused.Code == ExitCodes.KubernetesUnavailable, string.Join("\n", refused.Lines));
        Assert.Contains(refused.Lines, line => line.Contains("may not exec into pod orders-a's mirrord-sidecar container", StringComparison.Ordinal)
            && line.Contains("kubectl auth can-i create pods/exec -n shop", StringComparison.Ordinal));

        // Nor does the session port end it without the session's secret, whatever a modified CLI sends.
        using var kube = Mirrord.Cli.Kubernetes.KubeContext.Create(env.Kubeconfig, null, "shop", null);
        var error = await Assert.ThrowsAsync<Mirrord.Tunnel.Client.SessionRejectedException>(() => Mirrord.Tunnel.Client.SessionClient.KillAsync(
            Mirrord.Cli.Kubernetes.PortForwardDialer.For(kube, "orders-a", Mirrord.Tunnel.SidecarPorts.Session),
            id, new Mirrord.Tunnel.Protocol.SessionOwner(null, null, "mallory"), CancellationToken.None));
        Assert.Equal(Mirrord.Tunnel.Protocol.SessionErrorCodes.Forbidden, error.Code);
        Assert.False(alice.Exited.IsCompleted);
        Assert.Equal("laptop", await env.Replicas[0].ServedByAsync("alice"));
    }

    [Fact]
    public async Task EachSession_StartsAndEndsAnEventOnItsPod_MadeWithTheDevelopersCredentials()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        env.Publish(0);
        await using (var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1))
        {
            Assert.Equal(0, await cli.StopAsync());
        }

        var events = env.Api.CreatedEvents;
        Assert.Equal(["MirrordSessionStarted", "MirrordSessionEnded"], events.Select(e => e["reason"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("orders-a", e["involvedObject"]!["name"]!.GetValue<string>()));
        Assert.Contains("kube user developer", events[0]["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsNotAllowed_IsSaidOnce_AndTheSessionCarriesOn()
    {
        await using var env = await TargetEnvironment.StartAsync(replicas: 1);
        var replica = env.Publish(0);
        env.Api.Deny("create", "events");

        await using var cli = await CliSession.StartAsync(env.ConnectArgs("--target", "deployment/orders", "-f", env.WriteConfig()), registrations: 1);

        Assert.Equal("laptop", await replica.ServedByAsync("alice"));
        Assert.Equal(0, await cli.StopAsync());
        Assert.Single(cli.Lines, line => line.Contains("may not create Events in namespace shop", StringComparison.Ordinal));
        Assert.Empty(env.Api.CreatedEvents);
    }

    private static async Task<(int Code, IReadOnlyList<string> Lines)> RunAsync(string[] args)
    {
        var cli = new CliSession(args);
        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        return (code, cli.Lines);
    }
}
