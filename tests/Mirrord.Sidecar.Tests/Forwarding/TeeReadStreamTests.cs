using System.IO.Pipelines;
using System.Text;
using Mirrord.Sidecar.Forwarding;

namespace Mirrord.Sidecar.Tests.Forwarding;

/// <summary>The copy kept for mirror sessions is complete only when the body really ended.</summary>
public sealed class TeeReadStreamTests
{
    [Fact]
    public async Task ZeroByteReadsWhileWaitingForData_DoNotMakeACutOffBodyLookComplete()
    {
        var pipe = new Pipe();
        var tee = new TeeReadStream(pipe.Reader.AsStream(), 1024);

        // YARP waits for data with a zero-byte read, then reads; the caller vanishes mid-body.
        var waiting = tee.ReadAsync(Memory<byte>.Empty).AsTask();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("half a bo"));
        await waiting;
        var buffer = new byte[64];
        var read = await tee.ReadAsync(buffer);
        await pipe.Writer.CompleteAsync(new IOException("the caller reset the connection"));
        await Assert.ThrowsAsync<IOException>(async () => _ = await tee.ReadAsync(buffer));

        Assert.Equal(9, read);
        Assert.False(tee.Complete);
    }

    [Fact]
    public async Task ABodyReadToItsEnd_IsComplete_WithEveryByte()
    {
        var tee = new TeeReadStream(new MemoryStream(Encoding.ASCII.GetBytes("the whole body")), 1024);

        Assert.Equal(0, await tee.ReadAsync(Memory<byte>.Empty));
        await tee.CopyToAsync(Stream.Null);

        Assert.True(tee.Complete);
        Assert.Equal("the whole body", Encoding.ASCII.GetString(tee.Bytes!));
    }
}
