using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Mirrord.Testing;

/// <summary>
/// An HTTP/2 client at the frame level (prior knowledge, no TLS), for what real clients never do:
/// open streams past the limit, reset them as fast as they open, flood SETTINGS. Header blocks use
/// HPACK literals only, so the server's dynamic table never matters.
/// </summary>
public sealed class Http2FrameConnection : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;
    public const uint RefusedStream = 0x7, Cancel = 0x8, EnhanceYourCalm = 0xb;

    private readonly Socket _socket;
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private int _readStart;
    private int _readEnd;

    private Http2FrameConnection(Socket socket) => _socket = socket;

    /// <summary>Connects and sends the preface and an empty SETTINGS frame.</summary>
    public static async Task<Http2FrameConnection> OpenAsync(int port)
    {
        var connection = new Http2FrameConnection(await RawHttpExchange.ConnectAsync(port));
        await connection._socket.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await connection.SendAsync(Frame(Settings, 0, 0, []));
        return connection;
    }

    /// <summary>A HEADERS frame for <c>GET path</c> on a stream (odd ids), ending the stream.</summary>
    public static byte[] GetRequest(uint streamId, string path)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http (static table)
        AddLiteral(block, 4, path);                // :path
        AddLiteral(block, 1, "pod");               // :authority
        return Frame(Headers, 0x4 | 0x1, streamId, [.. block]); // END_HEADERS | END_STREAM
    }

    /// <summary>
    /// The HEADERS of a gRPC call on a stream, leaving the stream open for its messages; with
    /// <see cref="GrpcMessage"/> a client that half-closes only after the answer (as some do) can be played.
    /// </summary>
    public static byte[] GrpcRequestHeaders(uint streamId, string path)
    {
        var block = new List<byte> { 0x83, 0x86 }; // :method POST, :scheme http
        AddLiteral(block, 4, path);
        AddLiteral(block, 1, "pod");
        AddLiteralName(block, "content-type", "application/grpc");
        AddLiteralName(block, "te", "trailers");
        return Frame(Headers, 0x4, streamId, [.. block]); // END_HEADERS only
    }

    /// <summary>A DATA frame carrying one length-prefixed gRPC message (or none), optionally ending the stream.</summary>
    public static byte[] GrpcMessage(uint streamId, byte[] message, bool endStream)
    {
        var payload = message.Length == 0 ? [] : new byte[5 + message.Length];
        if (message.Length > 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), (uint)message.Length);
            message.CopyTo(payload, 5);
        }

        return Frame(Data, endStream ? (byte)0x1 : (byte)0, streamId, payload);
    }

    /// <summary>Reads frames until one on <paramref name="streamId"/> ends it (END_STREAM or RST_STREAM); null when the server goes quiet first.</summary>
    public async Task<IReadOnlyList<ReceivedFrame>?> ReadUntilStreamEndsAsync(uint streamId, TimeSpan quiet)
    {
        var frames = new List<ReceivedFrame>();
        while (await ReadFrameAsync(quiet) is { } frame)
        {
            frames.Add(frame);
            if (frame.StreamId == streamId && ((frame.Type is Headers or Data && (frame.Flags & 0x1) != 0) || frame.Type == RstStream))
            {
                return frames;
            }
        }

        return null;
    }

    public static byte[] Reset(uint streamId, uint errorCode)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, errorCode);
        return Frame(RstStream, 0, streamId, payload);
    }

    public static byte[] EmptySettings() => Frame(Settings, 0, 0, []);

    public static byte[] Frame(byte type, byte flags, uint streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), streamId & 0x7fffffff);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>Writes frames; false when the connection is closed (by the server, or by disposing this).</summary>
    public async Task<bool> SendAsync(params byte[][] frames)
    {
        try
        {
            await _socket.SendAsync(frames.SelectMany(f => f).ToArray());
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Reads frames until the server closes, sends GOAWAY, or stays silent for <paramref name="quiet"/>.</summary>
    public async Task<IReadOnlyList<ReceivedFrame>> ReadUntilQuietAsync(TimeSpan quiet)
    {
        var frames = new List<ReceivedFrame>();
        while (await ReadFrameAsync(quiet) is { } frame)
        {
            frames.Add(frame);
            if (frame.Type == GoAway)
            {
                break;
            }
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await Task.CompletedTask;
    }

    private async Task<ReceivedFrame?> ReadFrameAsync(TimeSpan quiet)
    {
        if (!await FillAsync(9, quiet))
        {
            return null;
        }

        var length = (_readBuffer[_readStart] << 16) | (_readBuffer[_readStart + 1] << 8) | _readBuffer[_readStart + 2];
        if (!await FillAsync(9 + length, quiet))
        {
            return null;
        }

        var header = _readBuffer.AsSpan(_readStart, 9);
        var frame = new ReceivedFrame(header[3], header[4], BinaryPrimitives.ReadUInt32BigEndian(header[5..]) & 0x7fffffff, _readBuffer.AsSpan(_readStart + 9, length).ToArray());
        _readStart += 9 + length;
        return frame;
    }

    private async Task<bool> FillAsync(int count, TimeSpan quiet)
    {
        if (_readEnd - _readStart >= count)
        {
            return true;
        }

        Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, _readEnd - _readStart);
        _readEnd -= _readStart;
        _readStart = 0;
        while (_readEnd < count)
        {
            using var silence = new CancellationTokenSource(quiet);
            try
            {
                var read = await _socket.ReceiveAsync(_readBuffer.AsMemory(_readEnd), SocketFlags.None, silence.Token);
                if (read == 0)
                {
                    return false;
                }

                _readEnd += read;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                return false;
            }
        }

        return true;
    }

    // Literal header field without indexing, new name (RFC 7541 section 6.2.2), no Huffman.
    private static void AddLiteralName(List<byte> block, string name, string value)
    {
        block.Add(0);
        block.Add((byte)name.Length);
        block.AddRange(Encoding.ASCII.GetBytes(name));
        block.Add((byte)value.Length);
        block.AddRange(Encoding.ASCII.GetBytes(value));
    }

    // Literal header field without indexing, indexed name (RFC 7541 section 6.2.2), no Huffman.
    private static void AddLiteral(List<byte> block, byte nameIndex, string value)
    {
        block.Add(nameIndex);
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length >= 127)
        {
            throw new ArgumentException("values of 127 bytes or more need a multi-byte length", nameof(value));
        }

        block.Add((byte)bytes.Length);
        block.AddRange(bytes);
    }
}

/// <summary>A frame as the server sent it.</summary>
public sealed record ReceivedFrame(byte Type, byte Flags, uint StreamId, byte[] Payload)
{
    /// <summary>The error code of a RST_STREAM or GOAWAY frame.</summary>
    public uint ErrorCode => Type switch
    {
        Http2FrameConnection.RstStream => BinaryPrimitives.ReadUInt32BigEndian(Payload),
        Http2FrameConnection.GoAway => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => 0,
    };
}
