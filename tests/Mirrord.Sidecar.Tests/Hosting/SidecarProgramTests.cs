using System.Globalization;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.Hosting;

/// <summary>The real mirrord-sidecar program, configured the way the webhook configures it.</summary>
public sealed class SidecarProgramTests
{
    private const int Nobody = 65534;

    [Fact]
    public async Task Program_ConfiguredByFileAndEnvironment_ServesTrafficWithoutPrivileges()
    {
        await using var pod = await TestApp.StartAsync("pod");
        var direct = FreePort.Next();
        var health = FreePort.Next();
        var file = Path.Combine(Path.GetTempPath(), $"mirrord-sidecar-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $$"""
            { "Sidecar": { "InboundPort": {{FreePort.Next()}}, "SessionPort": {{FreePort.Next()}}, "HealthPort": 1,
                           "InterceptedPorts": "{{pod.HttpPort}}", "DirectListeners": "{{direct}}={{pod.HttpPort}}" } }
            """);
        var environment = new Dictionary<string, string>
        {
            ["MIRRORD_CONFIG_FILE"] = file,
            // The environment wins over the file: the file's HealthPort 1 would need privileges.
            ["MIRRORD_Sidecar__HealthPort"] = health.ToString(CultureInfo.InvariantCulture),
        };
        var unprivileged = Environment.UserName == "root" && ProgramProcess.IsRunnableByOthers();
        await using var sidecar = ProgramProcess.Start("mirrord-sidecar.dll", environment, unprivileged ? Nobody : null);
        using var client = LoopbackClients.Http11();

        await WaitForHealthAsync(client, health, sidecar);
        using var response = await client.GetAsync($"http://127.0.0.1:{direct}/whoami");

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Contains("mirrord-sidecar ready", sidecar.Output, StringComparison.Ordinal);
        File.Delete(file);
    }

    [Fact]
    public async Task Program_BadSetting_RefusesToStartNamingTheSetting()
    {
        await using var sidecar = ProgramProcess.Start("mirrord-sidecar.dll", new Dictionary<string, string>
        {
            ["MIRRORD_Sidecar__InterceptedPorts"] = "8080,http",
            ["MIRRORD_Sidecar__HealthPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });

        await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, sidecar.ExitCode);
        Assert.Contains("Sidecar:InterceptedPorts must be comma-separated ports", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains("\"8080,http\"", sidecar.Output, StringComparison.Ordinal);
    }

    private static async Task WaitForHealthAsync(HttpClient client, int port, ProgramProcess sidecar)
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
}
