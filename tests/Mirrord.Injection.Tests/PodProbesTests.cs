using System.Text.Json.Nodes;
using Mirrord.Injection.Rules;
using Mirrord.Tunnel.Probes;

namespace Mirrord.Injection.Tests;

/// <summary>The probes the sidecar keeps on the app are the requests kubelet sends (kubernetes pkg/probe/http/request.go).</summary>
public sealed class PodProbesTests
{
    [Fact]
    public void Of_ReadsProbesAsKubeletSendsThem_OnInterceptedPortsOnly()
    {
        var pod = JsonNode.Parse("""
            { "spec": { "containers": [ {
                "name": "app",
                "ports": [ { "name": "http", "containerPort": 8080 }, { "name": "admin", "containerPort": 9000 } ],
                "livenessProbe": { "httpGet": { "path": "/health/live", "port": "http" } },
                "readinessProbe": { "httpGet": { "path": "/health/live", "port": 8080 } },
                "startupProbe": { "httpGet": { "port": 8080 } }
              }, {
                "name": "worker",
                "livenessProbe": { "httpGet": { "path": "healthz?full=1", "port": 8081, "scheme": "HTTPS",
                                               "httpHeaders": [ { "name": "user-agent", "value": "my-checker/2" } ] } },
                "readinessProbe": { "grpc": { "port": 9090, "service": "orders" } },
                "startupProbe": { "httpGet": { "path": "/elsewhere", "port": 8080, "host": "10.0.0.9" } }
              }, {
                "name": "admin",
                "livenessProbe": { "httpGet": { "path": "/admin", "port": "admin" } },
                "readinessProbe": { "exec": { "command": [ "true" ] } }
              } ] } }
            """)!.AsObject();

        var probes = PodProbes.Of(pod, [8080, 8081, 9090]);

        Assert.Equal(
            [
                new AppProbe(8080, "/health/live", Kinds: "app liveness, app readiness"),
                new AppProbe(8080, "/", Kinds: "app startup"),
                new AppProbe(8081, "/healthz?full=1", UserAgent: "my-checker/2", Https: true, Kinds: "worker liveness"),
                new AppProbe(9090, Grpc: true, Kinds: "worker readiness"),
            ],
            probes);
    }

    [Theory]
    [InlineData("GET", "/health/live", "kube-probe/1.31", true)]
    [InlineData("get", "/health/live", "kube-probe/1.35", true)]
    [InlineData("GET", "/health/live", "curl/8.5.0", false)]
    [InlineData("GET", "/health/live", null, false)]
    [InlineData("POST", "/health/live", "kube-probe/1.31", false)]
    [InlineData("GET", "/health/live?x=1", "kube-probe/1.31", false)]
    [InlineData("GET", "/health", "kube-probe/1.31", false)]
    public void Matches_KubeletsHttpGet_ByPortMethodTargetAndUserAgent(string method, string target, string? userAgent, bool expected)
        => Assert.Equal(expected, new AppProbe(8080, "/health/live").Matches(8080, method, target, userAgent));

    [Fact]
    public void Matches_OwnUserAgentAndGrpc_AsKubeletSendsThem()
    {
        var custom = new AppProbe(8080, "/live", UserAgent: "my-checker/2");
        var grpc = new AppProbe(9090, Grpc: true);

        Assert.True(custom.Matches(8080, "GET", "/live", "my-checker/2"));
        Assert.False(custom.Matches(8080, "GET", "/live", "kube-probe/1.31"));
        Assert.False(custom.Matches(8081, "GET", "/live", "my-checker/2"));

        // grpc-go appends its own name to the User-Agent kubelet gives it (pkg/probe/grpc/grpc.go).
        Assert.True(grpc.Matches(9090, "POST", "/grpc.health.v1.Health/Check", "kube-probe/1.31 grpc-go/1.65.0"));
        Assert.False(grpc.Matches(9090, "POST", "/grpc.health.v1.Health/Watch", "kube-probe/1.31 grpc-go/1.65.0"));
        Assert.False(grpc.Matches(9090, "POST", "/grpc.health.v1.Health/Check", "grpc-go/1.65.0"));
    }

    [Fact]
    public void List_RoundTripsThroughTheSidecarsEnvironment_AndRefusesNonsense()
    {
        IReadOnlyList<AppProbe> probes = [new AppProbe(8080, "/a", Kinds: "app liveness"), new AppProbe(9090, Grpc: true)];

        Assert.True(AppProbeList.TryParse(AppProbeList.Format(probes), out var read, out _));
        Assert.Equal(probes, read);
        Assert.False(AppProbeList.TryParse("""[{"port":0,"path":"/a"}]""", out _, out var problem));
        Assert.Contains("port from 1 to 65535", problem, StringComparison.Ordinal);
        Assert.False(AppProbeList.TryParse("8080=/a", out _, out problem));
        Assert.Contains("not a JSON array", problem, StringComparison.Ordinal);
    }
}
