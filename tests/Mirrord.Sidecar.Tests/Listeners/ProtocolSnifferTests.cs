using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Mirrord.Sidecar.Listeners;

namespace Mirrord.Sidecar.Tests.Listeners;

/// <summary>The sniffer's silence timeout affects only its own wait, never the reader that comes after it.</summary>
public sealed class ProtocolSnifferTests
{
    private static readonly TimeSpan s_silence = TimeSpan.FromMilliseconds(500);

    [Theory]
    [InlineData("", "Undecided")]
    [InlineData("GET / HTTP/1.1\r\n", "Http1")]
    [InlineData("GE", "Undecided")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Http2")]
    [InlineData("PRI * HTTP/2", "Undecided")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001", "Tls")] // a ClientHello record (TLS 1.0 record version, as TLS 1.3 sends)
    [InlineData("\u0016\u0003\u0003", "Tls")]
    [InlineData("\u0016", "Undecided")]
    [InlineData("\u0016\u00fe\u00ff", "Raw")] // a DTLS record version: not TLS over TCP
    [InlineData("\u0000\u0001garbage", "Raw")]
    [InlineData(" GET", "Raw")]
    public void Classify_TellsProtocolsApartByTheirFirstBytes(string start, string expected)
        => Assert.Equal(expected, ProtocolSniffer.Classify(Encoding.Latin1.GetBytes(start)).ToString());

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
    public async Task SilentCaller_IsSilentOnceTheSilenceTimeoutPasses_AndTheRelaysReadsAreNotCancelled()
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

        Assert.Equal(InboundProtocol.Silent, protocol);
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
