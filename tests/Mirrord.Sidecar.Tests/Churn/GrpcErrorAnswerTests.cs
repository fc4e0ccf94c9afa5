using Grpc.Core;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;
using Mirrord.Testing.Grpc;
using Mirrord.Tunnel;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Churn;

/// <summary>A gRPC caller whose stolen call cannot be delivered gets a gRPC status, not an HTTP error page its client cannot read.</summary>
public sealed class GrpcErrorAnswerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StolenGrpcCall_LocalProcessDown_IsUnavailable_NamingTheLocalApp()
    {
        await using var env = await StealEnvironment.StartAsync(output: output.WriteLine);
        var downPort = FreePort.Next();
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            { "feature": { "network": { "incoming": { "mode": "steal",
              "http_filter": { "header_filter": "^x-dev: alice$", "ports": [{{env.Pod.GrpcPort}}] },
              "port_mapping": [[{{downPort}}, {{env.Pod.GrpcPort}}]] } } } }
            """);
        await using var cli = await CliSession.ConnectAsync(env.Sidecar, "-f", config);
        var client = LoopbackClients.Grpc(env.Sidecar.UrlFor(env.Pod.GrpcPort), out var channel);
        using (channel)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => client.SayAsync(new EchoRequest { Text = "to a laptop that is not listening" }, new Metadata { { "x-dev", "alice" } }).ResponseAsync);

            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.Contains("the developer's local process did not answer it", failure.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(downPort.ToString(System.Globalization.CultureInfo.InvariantCulture), failure.Status.Detail, StringComparison.Ordinal);
            Assert.Matches("^[0-9a-f]+/[0-9]+$", failure.Trailers.GetValue(TunnelHeaders.ErrorReference));
            Assert.Equal(TunnelErrors.LocalAppUnreachable, failure.Trailers.GetValue(TunnelHeaders.Error));
        }
    }

    [Fact]
    public async Task StolenGrpcCall_SessionAtItsLimit_IsResourceExhausted()
    {
        await using var env = await StealEnvironment.StartAsync(new Dictionary<string, string?> { ["Sidecar:StolenRequestsPerSession"] = "1" }, output.WriteLine);
        await using var cli = await env.ConnectAsync("steal", "\"header_filter\": \"^x-dev: alice$\"");
        using var http = LoopbackClients.Http11();
        var held = await env.HoldAlicesRequestAsync(http);
        var client = LoopbackClients.Grpc(env.Sidecar.UrlFor(env.Pod.GrpcPort), out var channel);
        using (channel)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => client.SayAsync(new EchoRequest { Text = "one too many" }, new Metadata { { "x-dev", "alice" } }).ResponseAsync);
            env.Laptop.Release.TrySetResult();
            using var first = await held;

            Assert.Equal(StatusCode.ResourceExhausted, failure.StatusCode);
            Assert.Equal(TunnelErrors.SessionBusy, failure.Trailers.GetValue(TunnelHeaders.Error));
        }
    }
}
