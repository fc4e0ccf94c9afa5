using System.Diagnostics;
using Mirrord.Testing;

namespace Mirrord.Cli.Tests.Commands;

/// <summary><c>connect</c> as a program: how it starts, what it runs, and how it ends.</summary>
public sealed class ConnectCommandTests : IAsyncLifetime
{
    private TestApp _pod = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _pod = await TestApp.StartAsync("pod");
        _sidecar = await SidecarHost.StartAsync([_pod.HttpPort]);
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _pod.DisposeAsync();
    }

    [Fact]
    public async Task LocalCommand_WhenItExits_TheSessionEndsAndConnectExitsWithItsCode()
    {
        var cli = new CliSession(["connect", "--sidecar-address", _sidecar.SessionAddress, "--mode", "steal", "--", "sh", "-c", "sleep 3; exit 3"]);

        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, code);
        Assert.Contains(cli.Lines, line => line.StartsWith("started the local command sh (pid ", StringComparison.Ordinal));
        Assert.Contains(cli.Lines, line => line.Contains("registered on pod", StringComparison.Ordinal));
        Assert.Contains("the local command exited with code 3; the session is over", cli.Lines);
        Assert.Empty(await _sidecar.ListSessionsAsync());
    }

    [Fact]
    public async Task LocalCommand_ThatCannotStart_ExitsEightNamingIt()
    {
        var cli = new CliSession(["connect", "--sidecar-address", _sidecar.SessionAddress, "--", "/nonexistent/orders-service", "--port", "5000"]);

        var code = await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(8, code);
        Assert.Contains(cli.Lines, line => line.StartsWith("error: cannot start the local command \"/nonexistent/orders-service\":", StringComparison.Ordinal));
        Assert.Empty(await _sidecar.ListSessionsAsync());
    }

    [Fact]
    public async Task Sigterm_UnregistersTheSessionBeforeExiting()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "mirrord-cli.dll"), "connect", "--sidecar-address", _sidecar.SessionAddress, "--mode", "steal" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.Contains("registered on pod", StringComparison.Ordinal))
            {
                registered.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await registered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(await _sidecar.ListSessionsAsync());

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        lock (lines)
        {
            Assert.Contains(lines, line => line.Contains("ended on pod", StringComparison.Ordinal) && line.Contains("goes to the pod again", StringComparison.Ordinal));
        }

        Assert.Empty(await _sidecar.ListSessionsAsync());
    }

    [Fact]
    public async Task SidecarOfAnotherVersion_ExitsSessionRefused_SayingWhichCliToUse()
    {
        // A FAKE sidecar of an older release: it answers the registration as such a sidecar does.
        using var oldSidecar = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        oldSidecar.Start();
        var answering = Task.Run(async () =>
        {
            using var connection = await oldSidecar.AcceptTcpClientAsync();
            var register = Assert.IsType<Tunnel.Protocol.RegisterMessage>(await Tunnel.Protocol.SessionFrames.ReadAsync(connection.GetStream()));
            await Tunnel.Protocol.SessionFrames.WriteAsync(connection.GetStream(), new Tunnel.Protocol.ErrorMessage(
                Tunnel.Protocol.SessionErrorCodes.Version,
                $"this sidecar speaks session protocol 0, the CLI speaks {register.ProtocolVersion}: use a mirrord-cli of the sidecar's version (0.0.9)"));
        });
        var port = ((System.Net.IPEndPoint)oldSidecar.LocalEndpoint).Port;

        var cli = new CliSession(["connect", "--sidecar-address", $"127.0.0.1:{port}", "--mode", "steal"]);

        Assert.Equal(ExitCodes.SessionRefused, await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        await answering;
        Assert.Contains(cli.Lines, line => line.Contains("refused the session (version)", StringComparison.Ordinal)
            && line.Contains("use a mirrord-cli of the sidecar's version (0.0.9)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TargetAndSidecarAddressTogether_IsAUsageError()
    {
        var cli = new CliSession(["connect", "--sidecar-address", _sidecar.SessionAddress, "--target", "deployment/orders"]);

        Assert.Equal(1, await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(cli.Lines, line => line.StartsWith("error: --target and --sidecar-address exclude each other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoTargetAtAll_IsAUsageErrorThatSaysWhatToPass()
    {
        var cli = new CliSession(["connect", "--mode", "steal"]);

        Assert.Equal(1, await cli.Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(
            "error: say what to connect to: --target KIND/NAME (or \"target\" in mirrord.json), or --sidecar-address HOST:PORT", cli.Lines);
    }
}
