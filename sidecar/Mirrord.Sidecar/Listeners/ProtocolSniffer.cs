using System.Buffers;
using System.IO.Pipelines;

namespace Mirrord.Sidecar.Listeners;

/// <summary>
/// Looks at a connection's first bytes without consuming them. Decides as early as it can: an
/// HTTP/1.0 request can be shorter than the 24-byte HTTP/2 preface, so waiting for 24 bytes
/// would deadlock; a connection that stays silent is a server-speaks-first protocol.
/// </summary>
internal static class ProtocolSniffer
{
    /// <summary>RFC 9113 section 3.4.</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    // The longest registered method (UPDATEREDIRECTREF) is 17 characters; 24 leaves room for extensions.
    private const int MaxMethodLength = 24;

    public static InboundProtocol Classify(ReadOnlySpan<byte> start)
    {
        if (start.IsEmpty)
        {
            return InboundProtocol.Undecided;
        }

        // A TLS record: content type 22 (handshake), then the 0x03 of every SSL 3.0/TLS version (RFC 8446 section 5.1).
        if (start[0] == 0x16)
        {
            return start.Length == 1 ? InboundProtocol.Undecided : start[1] == 0x03 ? InboundProtocol.Tls : InboundProtocol.Raw;
        }

        var comparable = Math.Min(start.Length, Preface.Length);
        if (start[..comparable].SequenceEqual(Preface[..comparable]))
        {
            return comparable == Preface.Length ? InboundProtocol.Http2 : InboundProtocol.Undecided;
        }

        for (var i = 0; i < start.Length && i <= MaxMethodLength; i++)
        {
            var b = start[i];
            if (b == (byte)' ')
            {
                return i > 0 ? InboundProtocol.Http1 : InboundProtocol.Raw;
            }

            if (!IsTokenByte(b))
            {
                return InboundProtocol.Raw;
            }
        }

        return start.Length > MaxMethodLength ? InboundProtocol.Raw : InboundProtocol.Undecided;
    }

    /// <summary>
    /// Waits for enough bytes to decide, leaving them all in the pipe for whoever reads next. The
    /// silence timeout cancels only the read it is waiting on (a token on that read), never a later
    /// one: <c>CancelPendingRead</c> from a timer that fires just after the last read returned would
    /// cancel the next reader's first read instead.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> (the connection closing) was cancelled.</exception>
    public static async Task<InboundProtocol> DetectAsync(PipeReader input, TimeSpan silenceTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var silence = new CancellationTokenSource(silenceTimeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(silence.Token, cancellationToken);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (silence.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // A server-speaks-first protocol, or a caller in no hurry: either way it waits for the server.
                return InboundProtocol.Silent;
            }

            var buffer = result.Buffer;
            var protocol = Classify(First(buffer));
            if (protocol == InboundProtocol.Undecided && result.IsCompleted)
            {
                protocol = InboundProtocol.Raw;
            }

            if (protocol != InboundProtocol.Undecided)
            {
                input.AdvanceTo(buffer.Start);
                return protocol;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ReadOnlySpan<byte> First(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, MaxMethodLength + 1);
        if (buffer.FirstSpan.Length >= length)
        {
            return buffer.FirstSpan[..length];
        }

        return buffer.Slice(0, length).ToArray();
    }

    // RFC 9110 tchar.
    private static bool IsTokenByte(byte b)
        => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
