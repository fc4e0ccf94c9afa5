namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Wraps a request body so that whatever the forwarder reads is also kept, up to a limit, for a
/// mirrored copy. The real request streams exactly as before: nothing is read ahead, so a gRPC
/// stream that waits for the server never waits for the mirror.
/// </summary>
internal sealed class TeeReadStream : Stream
{
    private readonly Stream _inner;
    private readonly int _limit;
    private MemoryStream? _copy = new();

    public TeeReadStream(Stream inner, int limit)
    {
        _inner = inner;
        _limit = limit;
    }

    /// <summary>True once the body was read to its end within the limit.</summary>
    public bool Complete { get; private set; }

    /// <summary>The body as read, or null when it went over the limit.</summary>
    public byte[]? Bytes => _copy?.ToArray();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Record(buffer.Span[..read], buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Record(buffer.AsSpan(offset, read), count);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Record(ReadOnlySpan<byte> bytes, int requested)
    {
        if (_copy is null)
        {
            return;
        }

        // Only a read that asked for bytes and got none is the end: YARP issues zero-byte reads to wait for data.
        if (bytes.IsEmpty)
        {
            Complete |= requested > 0;
            return;
        }

        if (_copy.Length + bytes.Length > _limit)
        {
            _copy = null;
            return;
        }

        _copy.Write(bytes);
    }
}
