using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mirrord.Tunnel.PortForward;

namespace Mirrord.Tunnel.Tests;

/// <summary>A port-forward connection closed while a write is stuck in it closes cleanly, and the write fails as I/O.</summary>
public sealed class PortForwardStreamTests
{
    [Fact]
    public async Task DisposeWhileAWriteIsStuck_CompletesWithoutThrowing_AndTheWriteFailsAsIo()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        var release = new TaskCompletionSource();
        var firstBytes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.UseWebSockets();

        // A port-forward whose far end reads the start of a message and then stops reading.
        server.Map("/portforward", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.ReceiveAsync(new byte[16], CancellationToken.None);
            firstBytes.TrySetResult();
            await release.Task;
        });
        await server.StartAsync();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(server.Urls.First().Replace("http", "ws", StringComparison.Ordinal) + "/portforward"), CancellationToken.None);
        var stream = new PortForwardStream(client, "pod orders-a port 15081");

        // Far more than the socket buffers between the two ends hold: once its first bytes arrived, the write is stuck.
        var writing = Task.Run(async () => await stream.WriteAsync(new byte[64 * 1024 * 1024]));
        await firstBytes.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(writing.IsCompleted, "the write never blocked");

        var disposing = stream.DisposeAsync().AsTask();
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => writing.WaitAsync(TimeSpan.FromSeconds(10)));
        release.TrySetResult();

        Assert.IsType<IOException>(failure);
    }
}
