using System.Globalization;
using System.Net;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Outgoing;

/// <summary>
/// <c>mirrord-cli exec</c> as a developer runs it, on loopback: the sidecar runs in this process, a "cluster" service
/// listens on 127.0.0.2 (which the command reaches through the proxy, not directly: NO_PROXY lists only the
/// laptop's own loopback names), and real programs (curl, bash's /dev/tcp) are the developer's command.
/// </summary>
public sealed class ExecTests : IAsyncLifetime
{
    private static readonly IPAddress s_cluster = IPAddress.Parse("127.0.0.2");

    private TestApp _pod = null!;
    private TestApp _orders = null!;
    private TcpEchoServer _database = null!;

    public async Task InitializeAsync()
    {
        _pod = await TestApp.StartAsync("pod");
        _orders = await TestApp.StartAsync("orders", s_cluster, 0, 0);
        _database = TcpEchoServer.Start("postgres", s_cluster, 0);
    }

    public async Task DisposeAsync()
    {
        await _pod.DisposeAsync();
        await _orders.DisposeAsync();
        await _database.DisposeAsync();
    }

    private string OrdersUrl => $"http://127.0.0.2:{_orders.HttpPort.ToString(CultureInfo.InvariantCulture)}/whoami";

    [Fact]
    public async Task Curl_ThroughTheHttpProxy_ReachesTheServiceFromThePod_AndTheCliExitsWithItsCode()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);

        var result = await CliRunner.RunAsync("exec", "--sidecar-address", sidecar.SessionAddress, "--", "sh", "-c", $"curl -sS -f -D - {OrdersUrl} && exit 3");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("outgoing connections of the command go through the pod", result.Output, StringComparison.Ordinal);
        Assert.Equal(1, await OpenedAsync(sidecar));
    }

    [Fact]
    public async Task Curl_ThroughSocks5_FromAllProxy()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);

        var result = await CliRunner.RunAsync("exec", "--sidecar-address", sidecar.SessionAddress, "--", "sh", "-c", $"case \"$ALL_PROXY\" in socks5h://127.0.0.1:*) curl -sS -f -D - -x \"$ALL_PROXY\" {OrdersUrl};; *) exit 9;; esac");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await OpenedAsync(sidecar));
    }

    [Fact]
    public async Task Forward_APlainTcpClient_TalksToTheDatabaseFromThePod()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
        var local = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var database = _database.Port.ToString(CultureInfo.InvariantCulture);

        var result = await CliRunner.RunAsync(
            "exec", "--sidecar-address", sidecar.SessionAddress, "-L", $"{local}:127.0.0.2:{database}", "--",
            "bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{local}; read -r banner <&3; echo hello >&3; read -r answer <&3; echo \"db said: $banner | $answer\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"forwarding 127.0.0.1:{local} to 127.0.0.2:{database} from the pod", result.Output, StringComparison.Ordinal);
        Assert.Contains("db said: HELLO from postgres | HELLO", result.Output.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(1, await OpenedAsync(sidecar));
    }

    [Fact]
    public async Task OutgoingFilterLocal_KeepsThoseDestinationsOnTheLaptop()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
        var config = CliRunner.WriteConfig("""{ "feature": { "network": { "outgoing": { "filter": { "local": ["127.0.0.2"] } } } } }""");

        var result = await CliRunner.RunAsync("exec", "--sidecar-address", sidecar.SessionAddress, "-f", config, "--", "sh", "-c", $"echo \"no_proxy=$NO_PROXY\"; curl -sS -f -D - -x \"$HTTP_PROXY\" {OrdersUrl}");

        // Dialled from the laptop by the proxy (feature.network.outgoing), and named in NO_PROXY for clients that honour it.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("x-served-by: orders", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("no_proxy=localhost,127.0.0.1,::1,127.0.0.2", result.Output, StringComparison.Ordinal);
        Assert.Equal(0, await OpenedAsync(sidecar));
    }

    [Fact]
    public async Task PolicyWithoutOutgoing_TheCommandIsRefusedNamingTheRule_AndNothingIsOpened()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort], new Dictionary<string, string?> { ["Sidecar:Policy"] = """{ "allowOutgoing": false }""" });

        var result = await CliRunner.RunAsync("exec", "--sidecar-address", sidecar.SessionAddress, "--", "curl", "-sS", "-D", "-", OrdersUrl);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("HTTP/1.1 403 Forbidden", result.Output, StringComparison.Ordinal);
        Assert.Contains("allow-outgoing", result.Output, StringComparison.Ordinal);
        Assert.Empty(_orders.Requests);
        Assert.Equal(0, await OpenedAsync(sidecar));
    }

    [Fact]
    public async Task PolicyDestinations_OnlyListedDestinationsAreOpened()
    {
        var database = _database.Port.ToString(CultureInfo.InvariantCulture);
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort], new Dictionary<string, string?> { ["Sidecar:Policy"] = $$"""{ "outgoingDestinations": ["127.0.0.0/8:{{database}}"] }""" });
        var local = FreePort.Next().ToString(CultureInfo.InvariantCulture);

        var result = await CliRunner.RunAsync(
            "exec", "--sidecar-address", sidecar.SessionAddress, "-L", $"{local}:127.0.0.2:{database}", "--",
            "bash", "-c", $"curl -sS -D - {OrdersUrl}; exec 3<>/dev/tcp/127.0.0.1/{local}; read -r banner <&3; echo \"db said: $banner\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("HTTP/1.1 403 Forbidden", result.Output, StringComparison.Ordinal);
        Assert.Contains("outgoing-destinations", result.Output, StringComparison.Ordinal);
        Assert.Contains("db said: HELLO from postgres", result.Output, StringComparison.Ordinal);
        Assert.Empty(_orders.Requests);
    }

    [Fact]
    public async Task KillingTheSession_EndsItsOpenConnections_AndEachIsAudited()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
        var local = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var database = _database.Port.ToString(CultureInfo.InvariantCulture);
        var said = Path.Combine(Path.GetTempPath(), $"mirrord-exec-{Guid.NewGuid():N}.txt");
        await using var cli = await CliSession.StartAsync(
            ["exec", "--sidecar-address", sidecar.SessionAddress, "-L", $"{local}:127.0.0.2:{database}", "--",
             "bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{local}; read -r banner <&3; echo \"db said: $banner\" >> {said}; read -r more <&3"],
            registrations: 1);
        string Said() => File.Exists(said) ? File.ReadAllText(said) : string.Empty;
        await Poll.UntilAsync(() => Said().Contains("db said: HELLO from postgres", StringComparison.Ordinal), "the banner through the forward");

        sidecar.KillSessions("ops (test)");

        // The sidecar closed the connection with the session (the command itself may be stopped by exec meanwhile,
        // its session being over, so what it saw is not waited for).
        await Poll.UntilAsync(() => sidecar.AuditLines.Any(line => line.Contains("\"outgoing-connection\"", StringComparison.Ordinal)), "the connection's audit line");
        File.Delete(said);
        var audit = sidecar.AuditLines.Single(line => line.Contains("\"outgoing-connection\"", StringComparison.Ordinal));
        Assert.Contains($"\"destination\":\"127.0.0.2:{database}\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"session-ended\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"bytesReceived\":21", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("HELLO from", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlC_IsPassedOnToTheCommand_WhoseExitCodeTheCliExitsWith_AfterTheSessionEnds()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
        var folder = Directory.CreateTempSubdirectory("mirrord-exec-").FullName;
        var (ready, interrupted) = (Path.Combine(folder, "ready"), Path.Combine(folder, "interrupted"));
        using var cli = StartExecProcess(sidecar, $"trap 'echo yes > {interrupted}; kill $t; exit 42' INT; tail -f /dev/null & t=$!; touch {ready}; wait $t");
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        await Poll.UntilAsync(() => File.Exists(ready) && sidecar.ActiveSessions == 1, "the command running and the session registered");

        await InterruptAsync(cli);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await cli.WaitForExitAsync(timeout.Token);
        Assert.True(cli.ExitCode == 42, $"exit {cli.ExitCode}\n{await output}\n{await error}");
        Assert.True(File.Exists(interrupted), "the command did not receive the Ctrl-C");
        await Poll.UntilAsync(() => sidecar.ActiveSessions == 0, "the session ended");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task ASecondCtrlC_EndsTheCli_WhenTheCommandIgnoresTheFirst()
    {
        await using var sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
        var folder = Directory.CreateTempSubdirectory("mirrord-exec-").FullName;
        var (ready, interrupted, pid) = (Path.Combine(folder, "ready"), Path.Combine(folder, "interrupted"), Path.Combine(folder, "pid"));
        // The command lets go of the CLI's output pipes, which would otherwise outlive the CLI it survives.
        using var cli = StartExecProcess(sidecar, $"exec >/dev/null 2>&1; trap 'echo yes >> {interrupted}' INT; echo $$ > {pid}; tail -f /dev/null & t=$!; touch {ready}; while :; do wait $t; done");
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        await Poll.UntilAsync(() => File.Exists(ready) && sidecar.ActiveSessions == 1, "the command running and the session registered");

        try
        {
            await InterruptAsync(cli);
            await Poll.UntilAsync(() => File.Exists(interrupted), "the command receiving the first Ctrl-C");
            Assert.False(cli.HasExited, "the CLI did not wait for the command after the first Ctrl-C");

            await InterruptAsync(cli);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await cli.WaitForExitAsync(timeout.Token);
            Assert.True(cli.ExitCode == 130, $"exit {cli.ExitCode}\n{await output}\n{await error}");
            await Poll.UntilAsync(() => sidecar.ActiveSessions == 0, "the sidecar dropping the session of a CLI that is gone");
        }
        finally
        {
            // The CLI ended at once, as a signal's default does: the command it started is left running.
            using var stop = System.Diagnostics.Process.Start("pkill", ["-KILL", "-P", File.ReadAllText(pid).Trim()]);
            await stop.WaitForExitAsync();
            using var stopShell = System.Diagnostics.Process.Start("kill", ["-KILL", File.ReadAllText(pid).Trim()]);
            await stopShell.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The CLI as its own process, running <paramref name="script"/> under bash.</summary>
    private static System.Diagnostics.Process StartExecProcess(SidecarHost sidecar, string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "mirrord-cli.dll"), "exec", "--sidecar-address", sidecar.SessionAddress, "--", "bash", "-c", script },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>Ctrl-C as a supervisor (an IDE, a task runner) sends it: to the CLI alone, not the command's process group.</summary>
    private static async Task InterruptAsync(System.Diagnostics.Process cli)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-INT", cli.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    [Fact]
    public async Task WithoutACommand_ExecSaysHowToGiveOne()
    {
        var result = await CliRunner.RunAsync("exec", "--sidecar-address", "127.0.0.1:1");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("exec needs the command to run after --", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadForward_IsNamed()
    {
        var result = await CliRunner.RunAsync("exec", "--sidecar-address", "127.0.0.1:1", "-L", "postgres", "--", "true");

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("-L \"postgres\": expected [local-port:]host:port", result.Error, StringComparison.Ordinal);
    }

    private static async Task<long> OpenedAsync(SidecarHost sidecar)
    {
        using var client = new HttpClient();
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{sidecar.HealthPort}/metrics");
        return MetricsText.Counter(metrics, "mirrord_outgoing_connections_total", ("outcome", "opened"));
    }
}
