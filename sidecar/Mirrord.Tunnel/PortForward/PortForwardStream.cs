using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Mirrord.Tunnel.PortForward;

/// <summary>
/// One TCP connection to a pod port through a Kubernetes port-forward WebSocket
/// (<c>v4.channel.k8s.io</c>): every message starts with its channel byte (0 data, 1 error), and
/// the first two bytes on each channel from the server are the port number. Fully asynchronous:
/// no thread waits on a tunnel that sits idle for hours.
/// </summary>
public sealed class PortForwardStream : Stream
{
    private const byte DataChannel = 0;
    private const byte ErrorChannel = 1;

    private readonly WebSocket _socket;
    private readonly string _describe;
    private readonly byte[] _receiveBuffer = new byte[64 * 1024];
    // One send at a time on a WebSocket, the closing handshake included. Never disposed: a write that a
    // dispose cut short still releases it.
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly StringBuilder _error = new();
    private readonly int[] _portPrefixLeft = [2, 2];
    private ReadOnlyMemory<byte> _pending;
    private bool _atMessageStart = true;
    private byte _channel;
    private bool _closed;
    private int _disposed;

    public PortForwardStream(WebSocket socket, string describe)
    {
        _socket = socket;
        _describe = describe;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!_pending.IsEmpty)
            {
                var count = Math.Min(buffer.Length, _pending.Length);
                _pending[..count].CopyTo(buffer);
                _pending = _pending[count..];
                return count;
            }

            if (_closed)
            {
                return _error.Length > 0 ? throw new IOException($"{_describe}: {_error.ToString().Trim()}") : 0;
            }

            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_receiveBuffer, cancellationToken);
            }
            catch (WebSocketException ex)
            {
                throw new IOException($"{_describe}: the port-forward broke ({ex.Message})", ex);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                _closed = true;
                continue;
            }

            Accept(_receiveBuffer.AsMemory(0, result.Count), result.EndOfMessage);
        }
    }

    private void Accept(Memory<byte> segment, bool endOfMessage)
    {
        if (_atMessageStart && !segment.IsEmpty)
        {
            _channel = segment.Span[0];
            segment = segment[1..];
            _atMessageStart = false;
        }

        _atMessageStart = endOfMessage;
        if (_channel > ErrorChannel)
        {
            return;
        }

        var skip = Math.Min(_portPrefixLeft[_channel], segment.Length);
        _portPrefixLeft[_channel] -= skip;
        segment = segment[skip..];
        if (_channel == DataChannel)
        {
            _pending = segment;
        }
        else
        {
            _error.Append(Encoding.UTF8.GetString(segment.Span));
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var message = ArrayPool<byte>.Shared.Rent(buffer.Length + 1);
        try
        {
            message[0] = DataChannel;
            buffer.CopyTo(message.AsMemory(1));
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                await _socket.SendAsync(message.AsMemory(0, buffer.Length + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // A broken socket, or one closed under this write: the port-forward is gone either way.
            throw new IOException($"{_describe}: the port-forward broke ({ex.Message})", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                // Behind a write in progress (the close is a send too), but not for ever: a stuck one is cut off below.
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing a broken or stuck port-forward: nothing left to tell the other end.
            }
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Volatile.Write(ref _disposed, 1);
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
