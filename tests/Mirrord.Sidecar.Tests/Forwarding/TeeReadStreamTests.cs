using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Sidecar.Forwarding;

namespace Mirrord.Sidecar.Tests.Forwarding;

/// <summary>
/// The copy kept for mirror sessions is complete only when the body really ended, and is held within
/// the sidecar's buffer budget: a copy the budget cannot hold is given up, never the request.
/// </summary>
public sealed class TeeReadStreamTests
{
    private static BufferBudget Budget(long bytes) => new(bytes, metrics: null, new FakeTimeProvider(), NullLogger<BufferBudget>.Instance);

    [Fact]
    public async Task ZeroByteReadsWhileWaitingForData_DoNotMakeACutOffBodyLookComplete()
    {
        var pipe = new Pipe();
        var tee = new TeeReadStream(pipe.Reader.AsStream(), 1024, declaredLength: null, Budget(1 << 20));

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

    [Theory]
    [InlineData(null)]
    [InlineData(14L)]
    public async Task ABodyReadToItsEnd_IsComplete_WithEveryByte_AndItsBytesGoBackToTheBudget(long? declaredLength)
    {
        var budget = Budget(1 << 20);
        var tee = new TeeReadStream(new MemoryStream(Encoding.ASCII.GetBytes("the whole body")), 1024, declaredLength, budget);

        Assert.Equal(0, await tee.ReadAsync(Memory<byte>.Empty));
        await tee.CopyToAsync(Stream.Null);

        Assert.True(tee.Complete);
        Assert.Equal("the whole body", Encoding.ASCII.GetString(tee.Bytes!.Value.Span));
        Assert.True(budget.InUse > 0);
        tee.ReleaseBudget();
        Assert.Equal(0, budget.InUse);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(300_000L)]
    public async Task ACopyTheBudgetCannotHold_IsGivenUp_AndTheBodyStillStreamsWhole(long? declaredLength)
    {
        var budget = Budget(100_000);
        var body = Mirrord.Testing.TestApp.Payload(300_000);
        var tee = new TeeReadStream(new MemoryStream(body), 1 << 20, declaredLength, budget);
        var forwarded = new MemoryStream();

        await tee.CopyToAsync(forwarded);

        Assert.Equal(body, forwarded.ToArray());
        Assert.Null(tee.Bytes);
        Assert.True(tee.OverBudget);
        Assert.Equal(0, budget.InUse);
    }
}
