using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Sidecar.Listeners;

namespace Mirrord.Sidecar.Tests.Listeners;

/// <summary>The sniffer's silence timeout affects only its own wait, never the reader that comes after it.</summary>
public sealed class ProtocolSnifferTests
{
    private static readonly TimeSpan s_silence = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task SilenceTimerFiringJustAsTheDecidingReadReturns_LeavesTheNextReadersFirstReadAlone()
    {
        var time = new FakeTimeProvider();
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("GET /orders HTTP/1.1\r\n"));

        var protocol = await ProtocolSniffer.DetectAsync(new TimerFiresAfterEachRead(pipe.Reader, time, s_silence * 2), s_silence, time, CancellationToken.None);
        var next = await pipe.Reader.ReadAsync();

        Assert.Equal(InboundProtocol.Http1, protocol);
        Assert.False(next.IsCanceled, "the HTTP/1 parser's first read was cancelled by the sniffer's timer");
        Assert.Equal(22, next.Buffer.Length);
    }

    [Fact]
    public async Task SilentCaller_IsRawOnceTheSilenceTimeoutPasses_AndTheRelaysReadsAreNotCancelled()
    {
        var time = new FakeTimeProvider();
        var pipe = new Pipe();

        var detecting = ProtocolSniffer.DetectAsync(pipe.Reader, s_silence, time, CancellationToken.None);
        time.Advance(s_silence - TimeSpan.FromMilliseconds(1));
        Assert.False(detecting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var protocol = await detecting;
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("HELLO"));
        var next = await pipe.Reader.ReadAsync();

        Assert.Equal(InboundProtocol.Raw, protocol);
        Assert.False(next.IsCanceled);
        Assert.Equal(5, next.Buffer.Length);
    }

    /// <summary>A reader after which the clock jumps past the silence timeout, as a timer firing in that very instant would.</summary>
    private sealed class TimerFiresAfterEachRead(PipeReader inner, FakeTimeProvider time, TimeSpan jump) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            time.Advance(jump);
            return result;
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
