using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mirrord.Cli.Local;

/// <summary>A tunnel connection (a plain Stream) presented to Kestrel as an accepted connection.</summary>
internal sealed class StreamConnectionContext : ConnectionContext, IConnectionItemsFeature
{
    private readonly Stream _stream;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamConnectionContext(Stream stream, EndPoint localEndPoint)
    {
        _stream = stream;
        ConnectionId = Guid.NewGuid().ToString("N");
        LocalEndPoint = localEndPoint;
        Transport = new DuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        ConnectionClosed = _closed.Token;

        // Kestrel hands requests the connection's items through this feature (the pod a tunnel leads to).
        Features.Set<IConnectionItemsFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Completes when Kestrel is done with the connection.</summary>
    public Task Completed => _completed.Task;

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _closed.Cancel();
        _stream.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        await _stream.DisposeAsync();
        _closed.Dispose();
        _completed.TrySetResult();
        await base.DisposeAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
