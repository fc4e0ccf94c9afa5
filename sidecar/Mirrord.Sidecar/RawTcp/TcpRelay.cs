using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.RawTcp;

/// <summary>Relays a whole connection byte for byte to the container's port, honouring half-close in both directions.</summary>
internal sealed partial class TcpRelay
{
    private readonly IPAddress _appAddress;
    private readonly ILogger<TcpRelay> _logger;

    public TcpRelay(IOptions<SidecarOptions> options, ILogger<TcpRelay> logger)
    {
        _appAddress = IPAddress.Parse(options.Value.AppAddress);
        _logger = logger;
    }

    public async Task RelayToAppAsync(ConnectionContext connection, int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(_appAddress, port), connection.ConnectionClosed);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Log.AppUnreachable(_logger, port, ex.Message);
            return;
        }

        await using var app = new NetworkStream(socket, ownsSocket: false);
        await PumpAsync(connection.Transport, app, () => socket.Shutdown(SocketShutdown.Send));
    }

    /// <summary>Copies both directions until both are done; <paramref name="halfClose"/> tells the far end the client finished sending.</summary>
    public static async Task PumpAsync(IDuplexPipe client, Stream far, Action halfClose)
    {
        var upstream = CopyUpAsync(client.Input, far, halfClose);
        var downstream = CopyDownAsync(far, client.Output);
        await Task.WhenAll(upstream, downstream);
    }

    private static async Task CopyUpAsync(PipeReader input, Stream far, Action halfClose)
    {
        try
        {
            await input.CopyToAsync(far);
            halfClose();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or ConnectionResetException)
        {
            // The other direction ends on its own when either side goes away.
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private static async Task CopyDownAsync(Stream far, PipeWriter output)
    {
        try
        {
            await far.CopyToAsync(output);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or ConnectionResetException)
        {
            // As above.
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = SidecarEventIds.AppUnreachable, EventName = "AppUnreachable", Level = LogLevel.Warning,
            Message = "The container's port {Port} refused a relayed connection: {Reason}")]
        public static partial void AppUnreachable(ILogger logger, int port, string reason);
    }
}
