using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Mirrord.Sidecar.Hosting;

namespace Mirrord.Sidecar.Health;

/// <summary>
/// The truthful answer to a tcpSocket probe on an intercepted port (the injector points such probes
/// here): 200 when the app accepts a TCP connection on that port, 503 when it does not. Only
/// intercepted ports are dialled, so the endpoint probes the app and nothing else.
/// </summary>
internal static class AppTcpProbe
{
    /// <summary>Longer than any probe's timeoutSeconds is worth: kubelet gives up first and the dial is cancelled with its request.</summary>
    private static readonly TimeSpan s_dialLimit = TimeSpan.FromSeconds(30);

    public static async Task<IResult> HandleAsync(int port, HttpContext context, IOptions<SidecarOptions> options, TimeProvider time)
    {
        if (!options.Value.InterceptedPortList.Contains(port))
        {
            return Results.Text($"port {port} is not an intercepted port of this pod\n", statusCode: StatusCodes.Status404NotFound);
        }

        using var limit = new CancellationTokenSource(s_dialLimit, time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, context.RequestAborted);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(options.Value.AppAddress), port), cancel.Token);
            return Results.Text($"port {port} accepts connections\n");
        }
        catch (SocketException ex)
        {
            return Results.Text($"port {port} does not accept connections: {ex.SocketErrorCode}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return Results.Text($"port {port} did not answer within {s_dialLimit.TotalSeconds} s\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
