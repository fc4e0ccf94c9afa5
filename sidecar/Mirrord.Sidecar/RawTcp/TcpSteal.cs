using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel;

namespace Mirrord.Sidecar.RawTcp;

/// <summary>
/// A whole TCP connection for a session that takes its port whole (no filter, or a protocol the
/// sidecar cannot read): sent down the session's tunnel as one full-duplex request, the counterpart
/// of <see cref="TcpRelay"/>, which passes such a connection to the container.
/// </summary>
internal static class TcpSteal
{
    /// <summary>Sends a whole TCP connection down the tunnel as one full-duplex request and relays both directions.</summary>
    public static async Task StealAsync(Session session, ConnectionContext connection, int port)
    {
        session.CountStolen();
        var ticket = session.NewTicket();
        using var request = new HttpRequestMessage(HttpMethod.Post, session.DestinationPrefix + TunnelHeaders.TcpPath.TrimStart('/'))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new DuplexStreamContent(connection.Transport.Input.AsStream(leaveOpen: true)),
        };
        request.Headers.TryAddWithoutValidation(TunnelHeaders.Port, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(TunnelHeaders.Mode, TunnelHeaders.Tcp);
        request.Headers.TryAddWithoutValidation(TunnelHeaders.RequestId, ticket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, session.Ending);
            using var response = await session.Invoker.SendAsync(request, cancel.Token);
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            await using var laptop = await response.Content.ReadAsStreamAsync(cancel.Token);
            await laptop.CopyToAsync(connection.Transport.Output, cancel.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client sees its connection close, as it would if the laptop's process had closed it (or the session ended).
        }
        finally
        {
            // Whatever happened, the caller's connection closes now: the laptop must not get it later.
            ticket.TryAbandon();
            session.Forget(ticket);
            await connection.Transport.Output.CompleteAsync();
        }
    }

}
