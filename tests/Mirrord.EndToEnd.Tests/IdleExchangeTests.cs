using System.Net.WebSockets;
using System.Text;
using Grpc.Net.Client;
using Mirrord.Demo;
using Mirrord.Testing.Grpc;

namespace Mirrord.EndToEnd.Tests;

/// <summary>
/// Injection alone changes nothing for long-lived exchanges: a WebSocket, a long poll and a gRPC
/// server stream idle for longer than YARP's default activity timeout (100 s, which the sidecar once
/// applied to everything it passed to the app) live through the pod's redirect as they do straight
/// to the app. The waits are real: YARP times its activity timeout on its own timer, not on an
/// injected clock, so only real idleness shows what a caller would see.
/// </summary>
[Collection(PodsOnThisMachine.Name)]
public sealed class IdleExchangeTests
{
    private const int IdleSeconds = 105;

    [SkippableFact]
    public async Task NoSession_WebSocketLongPollAndGrpcStream_IdlePastYarpsDefaultTimeout_LiveAsTheyDoStraightToTheApp()
    {
        Skip.If(PodOnThisMachine.Unavailable() is not null, PodOnThisMachine.Unavailable());
        await using var env = await PodOnThisMachine.StartAsync();
        using var invoker = new HttpMessageInvoker(env.Pod.CreateClientHandler());
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{NamespacePod.PodAddress}:{PodOnThisMachine.HttpPort}/ws"), invoker, CancellationToken.None);
        using var client = new HttpClient(env.Pod.CreateClientHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        using var channel = GrpcChannel.ForAddress($"http://{NamespacePod.PodAddress}:{PodOnThisMachine.GrpcPort}", new GrpcChannelOptions { HttpHandler = env.Pod.CreateClientHandler() });
        using var stream = new Echo.EchoClient(channel).Count(new EchoRequest { Text = "tick", Times = 2, IntervalMs = IdleSeconds * 1000 });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));

        // The long poll is the clock: it is answered after the idle time, with nothing sent before.
        var longPoll = await client.GetStringAsync(new Uri(env.Pod.AppUrl, $"/wait/{IdleSeconds}"));
        await socket.SendAsync("still there?"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256];
        var echoed = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var secondTick = await stream.ResponseStream.MoveNext(CancellationToken.None);

        Assert.Equal($"pod waited {IdleSeconds} s\n", longPoll);
        Assert.Equal("pod: still there?", Encoding.UTF8.GetString(buffer, 0, echoed.Count));
        Assert.True(secondTick, "the gRPC stream ended before its second event");
        Assert.Equal("tick 2", stream.ResponseStream.Current.Text);
        Assert.Equal("pod", stream.ResponseStream.Current.ServedBy);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}
