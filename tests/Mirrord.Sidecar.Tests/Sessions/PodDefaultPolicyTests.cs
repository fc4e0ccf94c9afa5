using System.Net;
using Microsoft.Extensions.Options;

namespace Mirrord.Sidecar.Tests.Sessions;

/// <summary>The pod's <c>mirrord.dev/config</c>, handed over by the webhook as <c>Sidecar:DefaultIncoming</c>.</summary>
public sealed class PodDefaultPolicyTests
{
    private static Dictionary<string, string?> KeepProbesOnThePod(Testing.TestApp pod) => new()
    {
        ["Sidecar:DefaultIncoming"] = $$"""{ "http_filter": { "header_filter": "^User-Agent: (?!kube-probe)", "ports": [{{pod.HttpPort}}] } }""",
    };

    [Fact]
    public async Task SessionWithoutAFilter_GetsThePodsDefaultFilter_AndIsToldSo()
    {
        await using var env = await StealEnvironment.StartAsync(KeepProbesOnThePod);
        await using var cli = await env.ConnectAsync("steal");
        using var client = LoopbackClients.Http11();

        Assert.Equal("laptop", await ServedByAsync(client, env, "curl/8.5.0"));
        Assert.Equal("pod", await ServedByAsync(client, env, "kube-probe/1.31"));
        Assert.Contains(cli.Lines, line => line.Contains("the pod's default filter (mirrord.dev/config) applies: header \"^User-Agent: (?!kube-probe)\"", StringComparison.Ordinal));
        var session = Assert.Single(await env.Sidecar.ListSessionsAsync());
        Assert.Equal("^User-Agent: (?!kube-probe)", session.Incoming.GetProperty("http_filter").GetProperty("header_filter").GetString());
    }

    [Fact]
    public async Task SessionWithItsOwnFilter_KeepsIt()
    {
        await using var env = await StealEnvironment.StartAsync(KeepProbesOnThePod);
        await using var cli = await env.ConnectAsync("steal", "\"header_filter\": \"^X-Dev: alice$\"");
        using var client = LoopbackClients.Http11();

        Assert.Equal("pod", await ServedByAsync(client, env, "curl/8.5.0"));
        Assert.DoesNotContain(cli.Lines, line => line.Contains("default filter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadDefault_RefusesToStart_NamingTheSettingAndTheAnnotation()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => Testing.SidecarHost.StartAsync(
            [Testing.FreePort.Next()], new Dictionary<string, string?> { ["Sidecar:DefaultIncoming"] = """{ "http_filter": { "header_filter": "(" } }""" }));

        Assert.Contains("Sidecar:DefaultIncoming (the pod's mirrord.dev/config): feature.network.incoming.http_filter.header_filter", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ServedByAsync(HttpClient client, StealEnvironment env, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, env.Sidecar.UrlFor(env.Pod.HttpPort, "/whoami"));
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ServedByAsync();
    }
}
