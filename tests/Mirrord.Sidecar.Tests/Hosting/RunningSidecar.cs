using System.Globalization;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.Hosting;

/// <summary>mirrord-sidecar as its own process (the published native executable) in front of a pod's HTTP port, started and healthy.</summary>
internal sealed record RunningSidecar(ProgramProcess Process, int DirectPort, int SessionPort, int HealthPort) : IAsyncDisposable
{
    /// <param name="pod">The app whose HTTP port the sidecar serves (a direct listener stands in for the redirect).</param>
    /// <param name="environment">More settings, as the webhook would write them.</param>
    /// <param name="cgroup">A memory cgroup to start the sidecar in, as a container's memory limit does.</param>
    public static async Task<RunningSidecar> StartAsync(TestApp pod, IDictionary<string, string>? environment = null, MemoryCgroup? cgroup = null)
    {
        var (direct, session, health) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["MIRRORD_Sidecar__InboundPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["MIRRORD_Sidecar__SessionPort"] = session.ToString(CultureInfo.InvariantCulture),
            ["MIRRORD_Sidecar__HealthPort"] = health.ToString(CultureInfo.InvariantCulture),
            ["MIRRORD_Sidecar__InterceptedPorts"] = pod.HttpPort.ToString(CultureInfo.InvariantCulture),
            ["MIRRORD_Sidecar__DirectListeners"] = $"{direct}={pod.HttpPort}",
        };
        var process = cgroup is null
            ? ProgramProcess.StartSidecar(variables)
            : ProgramProcess.Start(cgroup.Wrap([.. Demo.SidecarProgram.Command]), variables);
        using var client = LoopbackClients.Http11();
        await WaitForHealthAsync(client, health, process);
        return new RunningSidecar(process, direct, session, health);
    }

    public static async Task WaitForHealthAsync(HttpClient client, int port, ProgramProcess sidecar)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.False(sidecar.HasExited, $"the sidecar exited:\n{sidecar.Output}");
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"the sidecar never became healthy:\n{sidecar.Output}");
            await Task.Delay(200);
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
