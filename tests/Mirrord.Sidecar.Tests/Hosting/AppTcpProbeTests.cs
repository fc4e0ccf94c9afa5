using System.Net;
using Mirrord.Testing;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.Tests.Hosting;

/// <summary>
/// What a rewritten tcpSocket probe gets from the sidecar's health port: the truth about the app's
/// port (kubelet counts 200-399 as success), not the sidecar's own listener answering for it.
/// </summary>
public sealed class AppTcpProbeTests
{
    [Fact]
    public async Task AppListening_Is200_AppGone_Is503()
    {
        var app = await TestApp.StartAsync("orders");
        var port = app.HttpPort;
        await using var sidecar = await SidecarHost.StartRedirectedAsync([port]);
        using var kubelet = new HttpClient();
        var probe = new Uri($"http://127.0.0.1:{sidecar.HealthPort}{SidecarPorts.AppTcpProbePath}{port}");

        using (var up = await kubelet.GetAsync(probe))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }

        await app.DisposeAsync();

        using var down = await kubelet.GetAsync(probe);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains($"port {port} does not accept connections", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortThatIsNotIntercepted_Is404_AndIsNotDialled()
    {
        await using var sidecar = await SidecarHost.StartRedirectedAsync([8080]);
        using var kubelet = new HttpClient();

        using var response = await kubelet.GetAsync($"http://127.0.0.1:{sidecar.HealthPort}{SidecarPorts.AppTcpProbePath}22");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
