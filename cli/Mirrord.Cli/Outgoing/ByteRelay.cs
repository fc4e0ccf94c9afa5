namespace Mirrord.Cli.Outgoing;

/// <summary>Copies bytes both ways between a local client and its connection from the pod until both directions are done or either fails.</summary>
internal static class ByteRelay
{
    public static async Task RunAsync(Stream local, Stream remote, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task CopyAsync(Stream from, Stream to, bool endsBoth)
        {
            try
            {
                await from.CopyToAsync(to, 16 * 1024, abort.Token);
                await to.FlushAsync(abort.Token);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // A side went away: the other direction ends with it.
                endsBoth = true;
            }

            // The pod's side cannot be half-closed through the port-forward stream, so its end ends the relay;
            // the local client's end is passed on as a half-close where the stream allows one.
            if (endsBoth)
            {
                await abort.CancelAsync();
            }
            else if (to is System.Net.Sockets.NetworkStream network)
            {
                network.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            }
        }

        await Task.WhenAll(CopyAsync(local, remote, endsBoth: false), CopyAsync(remote, local, endsBoth: true));
    }
}
