using Mirrord.Sidecar.Init;

namespace Mirrord.Sidecar.Tests.Redirect;

/// <summary>mirrord-init runs iptables as a child process and must read all it says, whichever stream it says it on.</summary>
public sealed class IptablesBackendTests
{
    [Fact]
    public async Task ACommandThatFillsItsOutputPipe_BeforeWritingAnError_StillCompletes_WithTheError()
    {
        // More on standard output than a pipe holds (64 KiB on Linux), then an error: read in the wrong order, this deadlocks.
        var shell = new IptablesBackend("test", "/bin/sh", "/bin/true");

        var (code, error) = await shell.RunAsync("-c", "head -c 300000 /dev/zero; echo 'iptables: No chain by that name.' >&2; exit 1").WaitAsync(TimeSpan.FromSeconds(20));

        // The error names the command that failed, so a reader knows which program said it.
        Assert.Equal(1, code);
        Assert.Equal("`/bin/sh -c head -c 300000 /dev/zero; echo 'iptables: No chain by that name.' >&2; exit 1` exited 1: iptables: No chain by that name.", error);
    }
}
