using System.Collections.Concurrent;
using Grpc.Core;
using Mirrord.Testing.Grpc;

namespace Mirrord.Testing;

/// <summary>The gRPC service of <see cref="TestApp"/>; it names the app that served the call.</summary>
public sealed class EchoService : Echo.EchoBase
{
    internal static ConcurrentDictionary<int, string> ServedBy { get; } = new();

    public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
        => Task.FromResult(new EchoReply { Text = request.Text, ServedBy = NameOf(context) });

    public override async Task Count(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (var i = 1; i <= request.Times; i++)
        {
            if (i > 1 && request.IntervalMs > 0)
            {
                await Task.Delay(request.IntervalMs, context.CancellationToken);
            }

            await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text} {i}", ServedBy = NameOf(context) });
        }

        context.ResponseTrailers.Add("x-count", request.Times.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string NameOf(ServerCallContext context)
        => ServedBy.GetValueOrDefault(context.GetHttpContext().Connection.LocalPort, "?");
}
