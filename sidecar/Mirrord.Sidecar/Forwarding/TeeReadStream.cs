namespace Mirrord.Sidecar.Forwarding;

/// <summary>
/// Wraps a request body so that whatever the forwarder reads is also kept, up to a limit, for a
/// mirrored copy. The real request streams exactly as before: nothing is read ahead, so a gRPC
/// stream that waits for the server never waits for the mirror. Every byte kept is reserved in the
/// <see cref="BufferBudget"/> first (the whole declared length at once when there is one, so the copy
/// is one exact buffer); when the budget or the limit says no, the copy is given up and the body
/// goes on streaming.
/// </summary>
internal sealed class TeeReadStream : Stream
{
    private const int FirstChunk = 16 * 1024;

    private readonly Stream _inner;
    private readonly int _limit;
    private readonly BufferBudget _budget;
    private byte[]? _copy;
    private int _length;
    private long _reserved;
    private bool _givenUp;

    public TeeReadStream(Stream inner, int limit, long? declaredLength, BufferBudget budget)
    {
        _inner = inner;
        _limit = limit;
        _budget = budget;
        if (declaredLength is { } length)
        {
            if (length > limit || !Reserve(length))
            {
                GiveUp();
                return;
            }

            _copy = length == 0 ? [] : new byte[length];
        }
    }

    /// <summary>True once the body was read to its end within the limit and the budget.</summary>
    public bool Complete { get; private set; }

    /// <summary>Why no copy is kept, once one was given up: over the limit, or the budget was spent.</summary>
    public bool OverBudget { get; private set; }

    /// <summary>The body as read, or null when it was given up.</summary>
    public ReadOnlyMemory<byte>? Bytes => _givenUp ? (ReadOnlyMemory<byte>?)null : (_copy ?? []).AsMemory(0, _length);

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

    /// <summary>Returns what the copy reserved to the budget; the bytes are not used after this.</summary>
    public void ReleaseBudget()
    {
        _budget.Release(Interlocked.Exchange(ref _reserved, 0));
        _copy = null;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Record(ReadOnlySpan<byte> bytes, int requested)
    {
        if (_givenUp)
        {
            return;
        }

        // Only a read that asked for bytes and got none is the end: YARP issues zero-byte reads to wait for data.
        if (bytes.IsEmpty)
        {
            Complete |= requested > 0;
            return;
        }

        if (_length + bytes.Length > _limit || !Fit(_length + bytes.Length))
        {
            GiveUp();
            return;
        }

        bytes.CopyTo(_copy.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Makes room for <paramref name="needed"/> bytes: exact when the length was declared, else growing by doubling, each step reserved first.</summary>
    private bool Fit(int needed)
    {
        if (_copy is not null && _copy.Length >= needed)
        {
            return true;
        }

        var capacity = Math.Min(_limit, Math.Max(needed, Math.Max(FirstChunk, (_copy?.Length ?? 0) * 2)));
        if (!Reserve(capacity - (_copy?.Length ?? 0)))
        {
            return false;
        }

        var grown = new byte[capacity];
        _copy?.AsSpan(0, _length).CopyTo(grown);
        _copy = grown;
        return true;
    }

    private bool Reserve(long bytes)
    {
        if (!_budget.TryReserve(bytes, BufferBudget.Uses.MirrorCopy))
        {
            OverBudget = true;
            return false;
        }

        _reserved += bytes;
        return true;
    }

    private void GiveUp()
    {
        _givenUp = true;
        ReleaseBudget();
    }
}
