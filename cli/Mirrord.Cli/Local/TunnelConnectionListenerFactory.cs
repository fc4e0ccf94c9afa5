using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Mirrord.Cli.Local;

/// <summary>Kestrel's transport for the CLI: "accepting" a connection means taking one the <see cref="TunnelConnectionSource"/> dialled.</summary>
internal sealed class TunnelConnectionListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly TunnelConnectionSource _source;

    public TunnelConnectionListenerFactory(TunnelConnectionSource source)
    {
        _source = source;
    }

    public bool CanBind(EndPoint endpoint) => endpoint is TunnelEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IConnectionListener>(new Listener(endpoint, _source));

    private sealed class Listener(EndPoint endpoint, TunnelConnectionSource source) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint { get; } = endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token);
            try
            {
                return await source.Accepted.ReadAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default) => await _unbound.CancelAsync();

        public ValueTask DisposeAsync()
        {
            _unbound.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
