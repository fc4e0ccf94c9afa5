using Mirrord.Demo;
using Mirrord.Testing.Redirect;

namespace Mirrord.Sidecar.Tests.Redirect;

/// <summary>
/// <c>mirrord-sidecar init</c>, the program of the injected <c>mirrord-init</c> container, in a
/// real network namespace with real iptables. Needs root; skipped with the reason elsewhere.
/// </summary>
public sealed class MirrordInitTests
{
    private static string NewName() => $"mirrord-t-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The command line of the init step: the sidecar program with <c>init</c> and these arguments.</summary>
    private static string[] InitCommand(params string[] args)
        => [.. SidecarProgram.Command, "init", .. args];

    [SkippableFact]
    public async Task Init_InstallsThePreroutingRedirect_AndRunningItAgainChangesNothing()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        var pod = await NetworkNamespace.CreateAsync(NewName());
        try
        {
            var first = await pod.RunAsync(InitCommand("--ports", "8080,9090", "--inbound-port", "15080"));
            var second = await pod.RunAsync(InitCommand("--ports", "8080,9090", "--inbound-port", "15080"));
            var (_, rules, _) = await pod.RunAsync("iptables-save", "-t", "nat");

            Assert.Equal(0, first.ExitCode);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("redirects TCP ports 8080, 9090 to 15080 in chain MIRRORD_INBOUND of nat PREROUTING", first.Output, StringComparison.Ordinal);
            var lines = rules.Split('\n').Where(line => line.StartsWith("-A ", StringComparison.Ordinal)).ToList();
            Assert.Equal(
                [
                    "-A PREROUTING -p tcp -j MIRRORD_INBOUND",
                    "-A MIRRORD_INBOUND -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 15080",
                    "-A MIRRORD_INBOUND -p tcp -m tcp --dport 9090 -j REDIRECT --to-ports 15080",
                ],
                lines);
        }
        finally
        {
            await pod.DeleteAsync();
        }
    }

    [SkippableFact]
    public async Task Init_BehindLinkerd_RedirectsOnlyTheProxysConnectionsAndBypassedPorts_AndRunningItAgainChangesNothing()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        var pod = await NetworkNamespace.CreateAsync(NewName());
        try
        {
            string[] args = ["--ports", "8080,9090", "--inbound-port", "15080", "--behind", "linkerd", "--mesh-proxy-uid", "2102", "--mesh-bypassed-ports", "9090", "--health-port", "15082"];
            var first = await pod.RunAsync(InitCommand(args));
            var second = await pod.RunAsync(InitCommand(args));
            var (_, rules, _) = await pod.RunAsync("iptables-save", "-t", "nat");

            Assert.Equal(0, first.ExitCode);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("redirects linkerd-proxy's connections (uid 2102) to ports 8080, 9090 to 15080 in chain MIRRORD_OUTPUT of nat OUTPUT", first.Output, StringComparison.Ordinal);
            Assert.Contains("Linkerd's inbound capture is not installed yet", first.Output, StringComparison.Ordinal);
            var lines = rules.Split('\n').Where(line => line.StartsWith("-A ", StringComparison.Ordinal)).ToList();
            Assert.Equal(
                [
                    "-A PREROUTING -p tcp -m tcp --dport 15082 -j RETURN",
                    "-A PREROUTING -p tcp -j MIRRORD_INBOUND",
                    "-A OUTPUT -p tcp -j MIRRORD_OUTPUT",
                    "-A MIRRORD_INBOUND -p tcp -m tcp --dport 9090 -j REDIRECT --to-ports 15080",
                    "-A MIRRORD_OUTPUT -o lo -p tcp -m tcp --dport 8080 -m owner --uid-owner 2102 -j REDIRECT --to-ports 15080",
                    "-A MIRRORD_OUTPUT -o lo -p tcp -m tcp --dport 9090 -m owner --uid-owner 2102 -j REDIRECT --to-ports 15080",
                ],
                lines);
        }
        finally
        {
            await pod.DeleteAsync();
        }
    }

    [SkippableFact]
    public async Task Init_WithoutAMesh_WhereAMeshsCaptureIsInstalled_WarnsThatNothingItDecryptsCanBeStolen()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        var pod = await NetworkNamespace.CreateAsync(NewName());
        try
        {
            Assert.Equal(0, (await pod.RunAsync("iptables", "-t", "nat", "-N", "ISTIO_INBOUND")).ExitCode);

            var result = await pod.RunAsync(InitCommand("--ports", "8080"));

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("warning: Istio's inbound capture (ISTIO_INBOUND) is in this pod, but the injector saw no mesh", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            await pod.DeleteAsync();
        }
    }

    [SkippableFact]
    public async Task Init_WithoutPrivileges_FailsSayingWhichCapabilitiesItNeeds()
    {
        Skip.If(IptablesRedirect.Unavailable() is not null, IptablesRedirect.Unavailable());
        Skip.IfNot(Testing.ProgramProcess.IsRunnableByOthers(), "the test output is not readable by an unprivileged user");
        var pod = await NetworkNamespace.CreateAsync(NewName());
        try
        {
            var result = await pod.RunAsync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", .. InitCommand("--ports", "8080")]);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("the container needs NET_ADMIN and NET_RAW", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            await pod.DeleteAsync();
        }
    }

    [Theory]
    [InlineData(new[] { "init" }, "mirrord-init: --ports is required: the container ports to redirect")]
    [InlineData(new[] { "init", "--ports", "80,http" }, "mirrord-init: --ports: \"http\" is not a port (1-65535)")]
    [InlineData(new[] { "init", "--ports", "15080" }, "mirrord-init: --ports: 15080 is the inbound port itself")]
    [InlineData(new[] { "init", "--ports", "8080", "--to", "1" }, "mirrord-init: unknown argument \"--to\"")]
    [InlineData(new[] { "init", "--ports", "8080", "--behind", "kuma", "--mesh-proxy-uid", "5678" }, "mirrord-init: --behind: \"kuma\" is not a mesh mirrord-init can sit behind (istio, linkerd)")]
    [InlineData(new[] { "init", "--ports", "8080", "--behind", "istio" }, "mirrord-init: --behind needs --mesh-proxy-uid")]
    [InlineData(new[] { "init", "--ports", "8080", "--mesh-proxy-uid", "1337" }, "mirrord-init: --mesh-proxy-uid, --mesh-bypassed-ports and --health-port need --behind")]
    [InlineData(new[] { "init", "--ports", "8080", "--behind", "istio", "--mesh-proxy-uid", "1337", "--mesh-bypassed-ports", "9090" }, "mirrord-init: --mesh-bypassed-ports: 9090 is not one of --ports")]
    public async Task Init_WithBadArguments_ExitsOneNamingTheFlag(string[] args, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await Init.RedirectInstaller.RunAsync(args[1..], output, error);

        Assert.Equal(1, code);
        Assert.StartsWith(expected, error.ToString(), StringComparison.Ordinal);
    }
}
