using System.IO.Pipelines;

namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// A Kestrel connection's pipes as a Stream, for the session frames and then for the HTTP/2
/// client that runs over a tunnel connection. <see cref="Disposed"/> tells the connection
/// handler when the HTTP/2 client let go of it, so the handler can return and Kestrel close it.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly IDuplexPipe _pipe;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DuplexPipeStream(IDuplexPipe pipe)
    {
        _pipe = pipe;
        _input = pipe.Input.AsStream(leaveOpen: true);
        _output = pipe.Output.AsStream(leaveOpen: true);
    }

    public Task Disposed => _disposed.Task;

    /// <summary>
    /// True when the peer has closed its side. Only for a connection nobody is reading: it peeks
    /// the pipe, which must not race a pending read.
    /// </summary>
    public bool IsPeerClosed()
    {
        if (!_pipe.Input.TryRead(out var result))
        {
            return false;
        }

        var closed = result.IsCompleted && result.Buffer.IsEmpty;
        _pipe.Input.AdvanceTo(result.Buffer.Start);
        return closed;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override void Flush() => _output.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed.TrySetResult();
        base.Dispose(disposing);
    }
}
