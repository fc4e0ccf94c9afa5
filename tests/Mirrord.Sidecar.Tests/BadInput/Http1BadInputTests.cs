using System.Net;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.BadInput;

/// <summary>
/// Hostile and broken HTTP/1.1 sent to a pod whose every HTTP request a developer steals: the
/// sidecar answers it itself, and neither the app nor the developer's laptop sees any of it.
/// </summary>
public sealed class Http1BadInputTests : IAsyncLifetime
{
    private StealEnvironment _env = null!;
    private CliSession _cli = null!;

    private int Port => _env.Sidecar.InboundPortFor(_env.Pod.HttpPort);

    public async Task InitializeAsync()
    {
        _env = await StealEnvironment.StartAsync(new Dictionary<string, string?>
        {
            ["Sidecar:Limits:RequestHeadersTimeout"] = "00:00:01",
            ["Sidecar:Limits:MaxRequestBodySize"] = "1000",
        });
        _cli = await _env.ConnectAsync("steal", "\"path_filter\": \"/\"");
    }

    public async Task DisposeAsync()
    {
        await _cli.DisposeAsync();
        await _env.DisposeAsync();
    }

    [Theory]
    [InlineData("headers over 32 KB in total", 431)]
    [InlineData("more than 100 headers", 431)]
    [InlineData("a request line over 8 KB", 414)]
    [InlineData("spaces inside the target", 400)]
    [InlineData("a header line without a colon", 400)]
    [InlineData("an obsolete folded header", 400)]
    [InlineData("a header name with a space before the colon", 400)]
    [InlineData("no Host header", 400)]
    [InlineData("two different Content-Length values", 400)]
    [InlineData("a Transfer-Encoding other than chunked", 400)]
    [InlineData("a body over Limits:MaxRequestBodySize", 413)]
    public async Task BadRequest_IsAnsweredByTheSidecar_AndReachesNeitherAppNorLaptop(string what, int status)
    {
        var answer = await RawHttpExchange.SendAsync(Port, s_badRequests[what]);

        Assert.Equal(status, answer.FirstStatus);
        Assert.DoesNotContain("x-served-by", answer.Text, StringComparison.OrdinalIgnoreCase);
        await AssertNothingArrivedAsync();
    }

    [Fact]
    public async Task ConflictingContentLengthAndTransferEncoding_NeverDesynchronizesTheApp()
    {
        // CL.TE smuggling: a front end that trusts Content-Length would pass "GET /smuggled" inside the body.
        var request = "POST /echo HTTP/1.1\r\nHost: pod\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: pod\r\n\r\n";

        var answer = await RawHttpExchange.SendAsync(Port, request);

        // RFC 9112 section 6.3: read as chunked, and the connection is closed after the response.
        Assert.Equal([200], answer.StatusCodes);
        Assert.True(answer.Closed);
        var reached = Assert.Single(_env.Pod.Requests.Concat(_env.Laptop.Requests));
        Assert.Equal("/echo", reached.PathAndQuery);
        Assert.False(reached.Headers.ContainsKey("Content-Length") && reached.Headers.ContainsKey("Transfer-Encoding"));
    }

    [Fact]
    public async Task BrokenChunkedBody_IsAnswered400ByTheSidecar_NotByTheApp()
    {
        // The body streams: the request may already be on its way when the bad chunk arrives, so it is cut off there.
        var request = "POST /echo HTTP/1.1\r\nHost: pod\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nmore\r\n0\r\n\r\n";

        var answer = await RawHttpExchange.SendAsync(Port, request);

        Assert.Equal([400], answer.StatusCodes);
        Assert.True(answer.Closed);
        Assert.DoesNotContain("x-served-by", answer.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Slowloris_HeadersTrickledPastTheTimeout_ConnectionIsClosed()
    {
        var parts = new[] { "GET /whoami HTTP/1.1\r\n", "Host: pod\r\n" }.Concat(Enumerable.Range(0, 40).Select(i => $"X-Slow-{i}: y\r\n"));

        var answer = await RawHttpExchange.TrickleAsync(Port, parts, pause: TimeSpan.FromMilliseconds(250), quiet: TimeSpan.FromSeconds(5));

        Assert.True(answer.Closed, $"the sidecar kept a trickling connection open: {answer.Text}");
        Assert.True(answer.PartsSent < 40, $"all {answer.PartsSent} parts went through before the connection closed");
        await AssertNothingArrivedAsync();
    }

    [Fact]
    public async Task AfterBadInput_GoodRequestsStillGoWhereTheFilterSays()
    {
        foreach (var request in s_badRequests.Values)
        {
            await RawHttpExchange.SendAsync(Port, request, TimeSpan.FromMilliseconds(300));
        }

        using var client = LoopbackClients.Http11();
        using var response = await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("laptop", await response.ServedByAsync());
    }

    private async Task AssertNothingArrivedAsync()
    {
        // A request sent after the bad input and answered from the laptop: the path works, and anything
        // the sidecar had passed on before it answered the bad input would have been recorded first.
        using var client = LoopbackClients.Http11();
        using var marker = await client.GetAsync(_env.Sidecar.UrlFor(_env.Pod.HttpPort, "/whoami?after-bad-input"));

        Assert.Equal("laptop", await marker.ServedByAsync());
        Assert.Empty(_env.Pod.Requests);
        Assert.Equal(["/whoami?after-bad-input"], _env.Laptop.Requests.Select(r => r.PathAndQuery));
    }

    private static readonly Dictionary<string, string> s_badRequests = new()
    {
        ["headers over 32 KB in total"] = $"GET /whoami HTTP/1.1\r\nHost: pod\r\nX-Big: {new string('a', 33 * 1024)}\r\n\r\n",
        ["more than 100 headers"] = "GET /whoami HTTP/1.1\r\nHost: pod\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n")) + "\r\n",
        ["a request line over 8 KB"] = $"GET /{new string('a', 9 * 1024)} HTTP/1.1\r\nHost: pod\r\n\r\n",
        ["spaces inside the target"] = "GET /who ami HTTP/1.1\r\nHost: pod\r\n\r\n",
        ["a header line without a colon"] = "GET /whoami HTTP/1.1\r\nHost: pod\r\nBroken header\r\n\r\n",
        ["an obsolete folded header"] = "GET /whoami HTTP/1.1\r\nHost: pod\r\nX-Folded: a\r\n b\r\n\r\n",
        ["a header name with a space before the colon"] = "GET /whoami HTTP/1.1\r\nHost: pod\r\nX-Space : a\r\n\r\n",
        ["no Host header"] = "GET /whoami HTTP/1.1\r\n\r\n",
        ["two different Content-Length values"] = "POST /echo HTTP/1.1\r\nHost: pod\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        ["a Transfer-Encoding other than chunked"] = "POST /echo HTTP/1.1\r\nHost: pod\r\nTransfer-Encoding: gzip\r\n\r\nabc",
        ["a body over Limits:MaxRequestBodySize"] = $"POST /echo HTTP/1.1\r\nHost: pod\r\nContent-Length: 2000\r\n\r\n{new string('b', 2000)}",
    };
}
