using System.Net;
using System.Net.Sockets;
using Mirrord.Demo;

namespace Mirrord.EndToEnd.Tests;

/// <summary>A STAND-IN for <c>kubectl port-forward</c> to the pod's session port: a loopback port whose connections reach 127.0.0.1:15081 inside the pod.</summary>
internal sealed class PortForwardStandIn : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static PortForwardStandIn Start(NamespacePod pod)
    {
        var forward = new PortForwardStandIn();
        forward._listener.Start();
        forward._accepting = forward.AcceptAsync(pod);
        return forward;
    }

    private async Task AcceptAsync(NamespacePod pod)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await using var session = await pod.Dial(_stop.Token);
                        var local = client.GetStream();
                        await Task.WhenAny(local.CopyToAsync(session, _stop.Token), session.CopyToAsync(local, _stop.Token));
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // Either end went away.
                    }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}
