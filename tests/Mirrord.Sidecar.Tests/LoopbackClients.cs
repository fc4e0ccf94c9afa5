using System.Net;
using Grpc.Net.Client;
using Mirrord.Testing.Grpc;

namespace Mirrord.Sidecar.Tests;

/// <summary>Real clients as the pod's callers use them: HTTP/1.1, h2c with prior knowledge, gRPC.</summary>
internal static class LoopbackClients
{
    public static HttpClient Http11() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static HttpClient Http2() => new(new SocketsHttpHandler { UseProxy = false })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static Echo.EchoClient Grpc(Uri address, out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
        return new Echo.EchoClient(channel);
    }

    public static async Task<string> ServedByAsync(this HttpResponseMessage response)
        => response.Headers.TryGetValues("x-served-by", out var values) ? values.Single() : $"(none: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()})";
}
