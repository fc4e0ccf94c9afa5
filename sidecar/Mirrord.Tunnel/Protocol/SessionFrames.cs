using System.Buffers.Binary;
using System.Text.Json;

namespace Mirrord.Tunnel.Protocol;

/// <summary>Reads and writes session frames: a 4-byte big-endian length, then that much UTF-8 JSON.</summary>
public static class SessionFrames
{
    public const int MaxFrameLength = 64 * 1024;

    public static async Task WriteAsync(Stream stream, SessionMessage message, CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, SessionJsonContext.Default.SessionMessage);
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next frame, or null when the peer closed the connection cleanly between frames.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid frame.</exception>
    public static async Task<SessionMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is <= 0 or > MaxFrameLength)
        {
            throw new InvalidDataException($"a frame of {length} bytes is outside 1..{MaxFrameLength}; is this a mirrord sidecar session endpoint?");
        }

        var payload = new byte[length];
        if (!await ReadExactlyOrEndAsync(stream, payload, cancellationToken))
        {
            throw new InvalidDataException("the connection closed in the middle of a frame");
        }

        try
        {
            return JsonSerializer.Deserialize(payload, SessionJsonContext.Default.SessionMessage)
                ?? throw new InvalidDataException("the frame is JSON null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the frame is not a session message: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidDataException($"the frame is not a session message: {ex.Message}", ex);
        }
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return read == 0 ? false : throw new InvalidDataException("the connection closed in the middle of a frame");
            }

            read += n;
        }

        return true;
    }
}
