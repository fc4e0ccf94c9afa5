using Grpc.Net.Client;
using Mirrord.Testing.Grpc.Health;

namespace Mirrord.Testing;

/// <summary>
/// kubelet's probes as kubelet sends them: an httpGet is a GET with <c>User-Agent: kube-probe/MAJOR.MINOR</c>
/// and <c>Accept: */*</c> (kubernetes pkg/probe/http/request.go); a grpc probe calls
/// grpc.health.v1.Health/Check over h2c with that User-Agent, to which grpc-go appends its own name
/// (pkg/probe/grpc/grpc.go). Each returns who answered (<c>x-served-by</c>), and disposes the handler it is given.
/// </summary>
public static class KubeletProbe
{
    public const string UserAgent = "kube-probe/1.31";

    public static async Task<string> HttpGetAsync(HttpMessageHandler handler, Uri url)
    {
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        using var response = await client.SendAsync(request);
        return ServedBy(response.Headers.TryGetValues("x-served-by", out var values) ? values.Single() : null, (int)response.StatusCode);
    }

    public static async Task<string> GrpcCheckAsync(HttpMessageHandler handler, Uri address)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new KubeletUserAgent(handler), DisposeHttpClient = true });
        using var call = new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        var headers = await call.ResponseHeadersAsync;
        var reply = await call.ResponseAsync;
        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
            ? ServedBy(headers.GetValue("x-served-by"), 200)
            : $"not serving ({reply.Status})";
    }

    private static string ServedBy(string? servedBy, int status) => servedBy ?? $"{status} from the sidecar";

    /// <summary>The User-Agent grpc-go sends for kubelet, in place of grpc-dotnet's.</summary>
    private sealed class KubeletUserAgent(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("User-Agent");
            request.Headers.TryAddWithoutValidation("User-Agent", $"{UserAgent} grpc-go/1.65.0");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
