using System.Net;

namespace Mirrord.Sidecar.RawTcp;

/// <summary>
/// A request body that is a live byte stream (a relayed TCP connection). It flushes before the
/// first byte, so the request headers leave at once (a server-speaks-first protocol sends nothing
/// until the laptop's server has spoken), and after every chunk, so nothing waits in a buffer.
/// </summary>
internal sealed class DuplexStreamContent : HttpContent
{
    private readonly Stream _source;

    public DuplexStreamContent(Stream source)
    {
        _source = source;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.FlushAsync(cancellationToken);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await _source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
