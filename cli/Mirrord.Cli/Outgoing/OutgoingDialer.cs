using System.Net;
using System.Net.Sockets;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Cli.Outgoing;

/// <summary>
/// Opens what the developer's process asks for: through the pod (resolved there) unless
/// <c>feature.network.outgoing</c> keeps the destination local, in which case it is dialled from the laptop.
/// A name <c>feature.network.dns</c> keeps local is resolved on the laptop and its address asked of the pod.
/// </summary>
internal sealed class OutgoingDialer(PodConnections pod, OutgoingConfig config)
{
    public OutgoingConfig Config { get; } = config;

    /// <exception cref="OutgoingRefusedException">Why the connection could not be opened.</exception>
    public async Task<Stream> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (!Config.ThroughPod(host, port))
        {
            return await OpenLocallyAsync(host, port, cancellationToken);
        }

        var asked = host;
        if (!IPAddress.TryParse(host, out _) && !Config.ResolvesInPod(host, port))
        {
            try
            {
                asked = (await Dns.GetHostAddressesAsync(host, cancellationToken)).First().ToString();
            }
            catch (SocketException ex)
            {
                throw new OutgoingRefusedException($"{host} does not resolve on this machine (feature.network.dns keeps it local): {ex.Message}");
            }
        }

        return (await pod.OpenAsync(asked, port, cancellationToken)).Stream;
    }

    private static async Task<Stream> OpenLocallyAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken);
            return client.GetStream();
        }
        catch (SocketException ex)
        {
            client.Dispose();
            throw new OutgoingRefusedException($"{host}:{port} (kept local by feature.network.outgoing) refused or unreachable: {ex.Message}");
        }
    }
}
