using System.Net;
using Mirrord.Testing;

namespace Mirrord.EndToEnd.Tests.Mesh;

/// <summary>
/// Meshed pods on this machine: the mesh's real iptables rules, a stand-in proxy as the mesh's uid,
/// mirrord injected by the real injector in either webhook order, callers speaking TLS (curl, .NET's
/// HTTP/1.1 client, gRPC over HTTP/2 with ALPN) from the client namespace. Needs root; skipped with
/// the reason elsewhere.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class MeshedPodTests
{
    private const string AliceOnly = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [8080, 9090] } }""";

    public static TheoryData<string, bool, bool, bool, bool> Setups() => new()
    {
        // mesh, native sidecar, CNI, mesh's webhook first, rendered by inject without the namespace and repaired at admission
        { "istio", true, false, true, false },
        { "istio", true, false, false, false },
        { "istio", false, false, false, false },
        { "istio", true, true, true, false },
        { "istio", false, false, true, true },
        { "linkerd", true, false, true, false },
        { "linkerd", false, false, false, false },
        { "linkerd", true, true, false, false },
        { "linkerd", false, false, true, true },
    };

    [SkippableTheory]
    [InlineData("istio")]
    [InlineData("linkerd")]
    public async Task Exec_ConnectionsFromThePod_LeaveThroughTheMeshsOutboundCapture(string mesh)
    {
        SkipUnlessPodsCanBeBuilt();
        await using var meshed = await MeshedPod.StartAsync(new MeshSetup(mesh, Native: true, Cni: false, MeshFirst: true));
        using var orders = await ClusterService.StartAsync(meshed.Pod, 8081);
        await using var portForward = PortForwardStandIn.Start(meshed.Pod);
        var counter = $"http://{Demo.NamespacePod.PodAddress}:{(meshed.Setup.IsIstio ? 15020 : 4191)}/stand-in/outbound";
        async Task<int> OutboundAsync() => int.Parse((await meshed.Pod.ClientNamespace.RunAsync("curl", "-sf", counter)).Output, System.Globalization.CultureInfo.InvariantCulture);
        var before = await OutboundAsync();

        var result = await OutgoingTests.RunAsync([.. OutgoingTests.ExecThrough(portForward), "curl", "-sS", "-f", "-D", "-", "http://198.18.0.1:8081/whoami"]);

        // The sidecar's connection went out as the pod's own do: through the mesh proxy, which gives it the pod's mesh identity.
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before + 1, await OutboundAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(Setups))]
    public async Task MeshedPod_NoSession_TheMeshWorksAsBefore_AndTheSidecarSeesOnlyDecryptedRequests(string mesh, bool native, bool cni, bool meshFirst, bool renderedBlind)
    {
        SkipUnlessPodsCanBeBuilt();
        await using var meshed = await MeshedPod.StartAsync(new MeshSetup(mesh, native, cni, meshFirst, renderedBlind));
        var payload = TestApp.Payload(512 * 1024 + 3);

        // The stand-in proxy is a .NET program: its first connections pay for JIT and TLS set-up, which on a loaded
        // machine can delay a caller's first bytes past the sidecar's protocol detection (500 ms), after which the
        // connection is relayed as bytes (still decrypted). Warmed up first, then only what follows is counted.
        await meshed.CurlAsync("/whoami");
        await meshed.ServedOverTlsAsync("/whoami");
        await meshed.GrpcOverTlsAsync("warm-up");
        var http11Before = await meshed.SidecarCounterAsync("mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1"));
        var h2Before = await meshed.SidecarCounterAsync("mirrord_requests_total", ("decision", "passed"), ("protocol", "h2"));
        var rawBefore = await meshed.SidecarCounterAsync("mirrord_tcp_connections_total", ("decision", "passed"));

        Assert.Equal("pod\n", await meshed.CurlAsync("/whoami"));
        Assert.Equal("pod", await meshed.ServedOverTlsAsync("/whoami"));
        Assert.Equal("pod", await meshed.GrpcOverTlsAsync("through the mesh"));
        using (var client = meshed.TlsClient())
        using (var echoed = await client.PostAsync($"https://{Demo.NamespacePod.PodAddress}:{PodOnThisMachine.HttpPort}/echo", new ByteArrayContent(payload)))
        {
            Assert.Equal(payload, await echoed.Content.ReadAsByteArrayAsync());
        }

        // Every request reached the sidecar decrypted: none was relayed as opaque bytes.
        var http11 = await meshed.SidecarCounterAsync("mirrord_requests_total", ("decision", "passed"), ("protocol", "http/1.1")) - http11Before;
        var h2 = await meshed.SidecarCounterAsync("mirrord_requests_total", ("decision", "passed"), ("protocol", "h2")) - h2Before;
        var raw = await meshed.SidecarCounterAsync("mirrord_tcp_connections_total", ("decision", "passed")) - rawBefore;
        Assert.True(http11 >= 3, $"passed HTTP/1.1 {http11}, h2 {h2}, raw {raw}");
        Assert.True(h2 >= 1, $"passed HTTP/1.1 {http11}, h2 {h2}, raw {raw}");
        Assert.Equal(0, raw);
        if (meshed.Setup.IsIstio)
        {
            // STRICT mTLS still refuses a plaintext caller: the mesh's policy is intact.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => meshed.Pod.Client.GetAsync(meshed.Pod.AppUrl));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Setups))]
    public async Task MeshedPod_FilteredSteal_TakesDecryptedMatches_ProbesStayOnThePod_AndSessionEndGivesTrafficBack(string mesh, bool native, bool cni, bool meshFirst, bool renderedBlind)
    {
        SkipUnlessPodsCanBeBuilt();
        await using var meshed = await MeshedPod.StartAsync(new MeshSetup(mesh, native, cni, meshFirst, renderedBlind));

        await using (var session = await meshed.Env.ConnectAsync(AliceOnly))
        {
            Assert.Equal("laptop\n", await meshed.CurlAsync("/whoami", "X-Dev: alice"));
            Assert.Equal("pod", await meshed.ServedOverTlsAsync("/whoami", ("X-Dev", "bob")));
            Assert.Equal("laptop", await meshed.GrpcOverTlsAsync("debug me", ("x-dev", "alice")));
            Assert.Equal("pod", await meshed.GrpcOverTlsAsync("not me"));
            await AssertProbesAsync(meshed);
            Assert.Contains("steal", session.Output, StringComparison.Ordinal);
        }

        Assert.Equal("pod\n", await meshed.CurlAsync("/whoami", "X-Dev: alice"));
        Assert.DoesNotContain(meshed.Env.Laptop.Requests, r => r.Headers.TryGetValue("User-Agent", out var agent) && agent.StartsWith("kube-probe", StringComparison.Ordinal));
    }

    /// <summary>Kubelet's view: the app's probe (through pilot-agent for Istio, through the proxy for Linkerd) and the sidecar's own.</summary>
    private static async Task AssertProbesAsync(MeshedPod meshed)
    {
        using (var sidecar = await meshed.KubeletProbeAsync(Tunnel.SidecarPorts.Health, "/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, sidecar.StatusCode);
        }

        if (meshed.Setup.IsIstio)
        {
            using var app = await meshed.KubeletProbeAsync(15020, "/app-health/orders/readyz");
            Assert.Equal(HttpStatusCode.OK, app.StatusCode);
            if (!meshed.Setup.MeshFirst && !meshed.Setup.RenderedBlind)
            {
                // Istio's injector ran after ours and pointed our readiness probe at its agent, too.
                using var rewritten = await meshed.KubeletProbeAsync(15020, "/app-health/mirrord-sidecar/readyz");
                Assert.Equal(HttpStatusCode.OK, rewritten.StatusCode);
            }
        }
        else
        {
            using var app = await meshed.KubeletProbeAsync(PodOnThisMachine.HttpPort, "/whoami");
            Assert.Equal(HttpStatusCode.OK, app.StatusCode);
            Assert.Equal("pod", app.Headers.GetValues("x-served-by").Single());
        }
    }

    private static void SkipUnlessPodsCanBeBuilt()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        Skip.IfNot(File.Exists("/usr/bin/curl") || File.Exists("/bin/curl"), "curl not installed (the callers of the meshed pod are curl; .ci/run installs it)");
        Skip.IfNot(ProgramProcess.IsRunnableByOthers(), "the mesh proxy stand-in runs as the mesh's uid, which cannot read the test output here");
    }
}
