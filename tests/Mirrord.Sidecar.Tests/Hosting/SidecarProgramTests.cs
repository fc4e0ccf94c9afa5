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
        await using var sidecar = ProgramProcess.StartSidecar(environment, unprivileged ? Nobody : null);
        using var client = LoopbackClients.Http11();

        await RunningSidecar.WaitForHealthAsync(client, health, sidecar);
        using var response = await client.GetAsync($"http://127.0.0.1:{direct}/whoami");

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Contains("mirrord-sidecar ready", sidecar.Output, StringComparison.Ordinal);
        File.Delete(file);
    }

    [SkippableFact]
    public async Task Program_UnderTest_IsTheNativeExecutableTheImageShips()
    {
        Skip.If(Demo.SidecarProgram.NotPublishedReason is not null, $"the build did not publish the Native AOT sidecar: {Demo.SidecarProgram.NotPublishedReason}");
        Assert.True(Demo.SidecarProgram.IsNative, $"no published native sidecar next to the tests ({Demo.SidecarProgram.NativeFolder}/)");
        var command = Demo.SidecarProgram.Command;
        var header = new byte[4];
        await using (var file = File.OpenRead(command[0]))
        {
            await file.ReadExactlyAsync(header);
        }

        await using var version = ProgramProcess.StartSidecar(new Dictionary<string, string>(), asUser: null, "--version");
        await version.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("\u007FELF"u8.ToArray(), header);
        Assert.Equal(0, version.ExitCode);
        Assert.Equal("mirrord-sidecar 0.1.0", version.Output.Trim());
    }

    [Fact]
    public async Task Program_BadSetting_RefusesToStartNamingTheSetting()
    {
        await using var sidecar = ProgramProcess.StartSidecar(new Dictionary<string, string>
        {
            ["MIRRORD_Sidecar__InterceptedPorts"] = "8080,http",
            ["MIRRORD_Sidecar__HealthPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });

        await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, sidecar.ExitCode);
        Assert.Contains("Sidecar:InterceptedPorts must be comma-separated ports", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains("\"8080,http\"", sidecar.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_Sigterm_FinishesRequestsInFlightAndRefusesNewOnes()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var sidecar = await RunningSidecar.StartAsync(pod);
        using var client = LoopbackClients.Http11();
        var held = client.GetAsync($"http://127.0.0.1:{sidecar.DirectPort}/hold");
        await pod.HoldReached.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await sidecar.Process.TerminateAsync();
        await WaitUntilRefusedAsync(sidecar.DirectPort, sidecar.Process);
        pod.Release.TrySetResult();
        using var response = await held.WaitAsync(TimeSpan.FromSeconds(10));
        await sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("pod released\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, sidecar.Process.ExitCode);
    }

    [Fact]
    public async Task Program_SigtermWithASessionConnected_TellsTheCliAndExitsWithoutWaitingOutTheDrainTimeout()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var sidecar = await RunningSidecar.StartAsync(pod);
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""{ "feature": { "network": { "incoming": { "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [{{pod.HttpPort}}] } } } } }""");
        await using var cli = await CliSession.StartAsync(["connect", "--sidecar-address", $"127.0.0.1:{sidecar.SessionPort}", "-f", config], registrations: 1);

        await sidecar.Process.TerminateAsync();
        await sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // The default drain timeout is 25 s: the sidecar left long before, and told the CLI why.
        Assert.Equal(0, sidecar.Process.ExitCode);
        await cli.ExpectLineAsync("the sidecar is shutting down (the pod is stopping)");
        File.Delete(config);
    }

    [Fact]
    public async Task Program_HeaderValuesOfStolenAndPassedRequests_AreNeverLogged_AtTheMostVerboseLevel()
    {
        const string Token = "Bearer s3cr3t-authorization-value";
        const string Cookie = "session=c00kie-value";
        await using var pod = await TestApp.StartAsync("pod");
        await using var laptop = await TestApp.StartAsync("laptop");
        await using var sidecar = await RunningSidecar.StartAsync(pod, new Dictionary<string, string>
        {
            // As verbose as an operator can make it; ASP.NET Core and YARP stay at Warning whatever is asked (SidecarApplication).
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Mirrord"] = "Trace",
        });
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "feature": { "network": { "incoming": { "mode": "steal",
              "http_filter": { "header_filter": "^X-Dev: alice$", "ports": [{{pod.HttpPort}}] },
              "port_mapping": [[{{laptop.HttpPort}}, {{pod.HttpPort}}]] } } } }
            """);
        await using var cli = await CliSession.StartAsync(["connect", "--sidecar-address", $"127.0.0.1:{sidecar.SessionPort}", "-f", config], registrations: 1);
        using var client = LoopbackClients.Http11();

        foreach (var dev in new[] { "alice", "bob" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{sidecar.DirectPort}/headers");
            request.Headers.Add("X-Dev", dev);
            request.Headers.TryAddWithoutValidation("Authorization", Token);
            request.Headers.TryAddWithoutValidation("Cookie", Cookie);
            using var response = await client.SendAsync(request);
            Assert.Contains("s3cr3t-authorization-value", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await cli.ExpectLineAsync("/headers");
        var logs = sidecar.Process.Output + string.Join("\n", cli.Lines);
        Assert.Contains("dbug: Mirrord.Sidecar", sidecar.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-authorization-value", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("c00kie-value", logs, StringComparison.Ordinal);
        File.Delete(config);
    }

    [Fact]
    public async Task Program_LimitsFromTheEnvironmentTheWebhookWrites_AreEnforced()
    {
        await using var pod = await TestApp.StartAsync("pod");
        await using var sidecar = await RunningSidecar.StartAsync(pod, new Dictionary<string, string> { ["MIRRORD_Sidecar__Limits__MaxRequestHeaderCount"] = "5" });
        var headers = string.Concat(Enumerable.Range(0, 6).Select(i => $"X-H{i}: v\r\n"));

        var answer = await RawHttpExchange.SendAsync(sidecar.DirectPort, $"GET /whoami HTTP/1.1\r\nHost: pod\r\n{headers}\r\n");

        Assert.Equal(431, answer.FirstStatus);
        Assert.Empty(pod.Requests);
    }

    private static async Task WaitUntilRefusedAsync(int port, ProgramProcess sidecar)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var probe = await RawHttpExchange.ConnectAsync(port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return;
            }

            Assert.False(sidecar.HasExited, $"the sidecar exited before the request in flight finished:\n{sidecar.Output}");
            Assert.True(DateTime.UtcNow < deadline, "the sidecar kept accepting connections after SIGTERM");
            await Task.Delay(100);
        }
    }
}
