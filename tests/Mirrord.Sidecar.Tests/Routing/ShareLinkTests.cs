using System.Net;
using Grpc.Core;
using Mirrord.Sidecar.Tests.Sessions;
using Mirrord.Testing.Grpc;
using Xunit.Abstractions;

namespace Mirrord.Sidecar.Tests.Routing;

/// <summary>
/// Share links: a browser opens <c>?mirrord-session=KEY</c>, keeps the cookie it is given, and every later request
/// carries <c>baggage: mirrord-session=KEY</c> to the app and to the session whose filter is mirrord's documented
/// <c>^baggage: .*mirrord-session={{ key }}.*$</c>.
/// </summary>
public sealed class ShareLinkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyFilter = "\"header_filter\": \"^baggage: .*mirrord-session={{ key }}.*$\"";

    private StealEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await StealEnvironment.StartAsync(output: output.WriteLine);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task ABrowserOpeningTheLink_IsRedirectedWithACookie_AndItsLaterRequestsReachTheSessionWithThatKey()
    {
        await using var cli = await _env.ConnectAsync("steal", KeyFilter, "--key", "alice-42");
        using var browser = Browser();
        using var otherBrowser = Browser();

        using var opened = await browser.GetAsync(Url("/whoami?tab=2&mirrord-session=alice-42"));
        using var later = await browser.GetAsync(Url("/whoami"));
        using var someoneElse = await otherBrowser.GetAsync(Url("/whoami"));

        Assert.Equal("laptop", await opened.ServedByAsync());
        Assert.Equal("/whoami?tab=2", opened.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.Equal("laptop", await later.ServedByAsync());
        Assert.Equal("pod", await someoneElse.ServedByAsync());
        Assert.All(_env.Laptop.Requests, request => Assert.Equal("mirrord-session=alice-42", request.Headers["baggage"]));
        Assert.Contains(cli.Lines, line => line.Contains("session key alice-42 (--key)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRedirect_DropsOnlyTheParameter_AndAnEmptyOneClearsTheCookie_WithoutTheAppSeeingEither()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });

        using var set = await client.GetAsync(Url("/a/b?x=1&mirrord-session=k%20z&y=%2F"));
        using var cleared = await client.GetAsync(Url("/a/b?mirrord-session="));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, set.StatusCode);
        Assert.Equal("/a/b?x=1&y=%2F", set.Headers.Location!.OriginalString);
        Assert.Equal("mirrord-session=k%20z; Path=/; HttpOnly; SameSite=Lax", set.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal("no-store", set.Headers.CacheControl!.ToString());
        Assert.Equal("/a/b", cleared.Headers.Location!.OriginalString);
        Assert.Equal("mirrord-session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax", cleared.Headers.GetValues("Set-Cookie").Single());
        Assert.Empty(_env.Pod.Requests);
    }

    [Fact]
    public async Task TheCookie_IsMergedIntoTheCallersBaggage_OnTheWayToTheApp_WithNoSessionOnThePod()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/whoami"));
        request.Headers.TryAddWithoutValidation("Cookie", "theme=dark; mirrord-session=k9");
        request.Headers.TryAddWithoutValidation("baggage", "userId=alice;ttl=5, mirrord-session=old");

        using var response = await client.SendAsync(request);

        Assert.Equal("pod", await response.ServedByAsync());
        var seen = Assert.Single(_env.Pod.Requests);
        Assert.Equal("userId=alice;ttl=5,mirrord-session=k9", seen.Headers["baggage"]);
        Assert.Equal("theme=dark; mirrord-session=k9", seen.Headers["Cookie"]);
    }

    [Fact]
    public async Task AParameterOnAPost_IsNotRedirected_ButCarriedAsBaggage()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });

        using var response = await client.PostAsync(Url("/echo?mirrord-session=k7"), new StringContent("order"));

        Assert.Equal("pod", await response.ServedByAsync());
        Assert.Equal("order", await response.Content.ReadAsStringAsync());
        Assert.Equal("mirrord-session=k7", Assert.Single(_env.Pod.Requests).Headers["baggage"]);
    }

    [Fact]
    public async Task AKeyWhoseSessionEnded_GetsAPageSayingSo_NeverTheApp_UntilClearedOrHeldAgain()
    {
        var cli = await _env.ConnectAsync("steal", KeyFilter, "--key", "bob-7");
        using var browser = Browser();
        using (var reached = await browser.GetAsync(Url("/whoami?mirrord-session=bob-7")))
        {
            Assert.Equal("laptop", await reached.ServedByAsync());
        }

        await cli.StopAsync();
        await cli.DisposeAsync();

        using var page = new HttpRequestMessage(HttpMethod.Get, Url("/whoami"));
        page.Headers.Accept.ParseAdd("text/html");
        using var ended = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.Gone, ended.StatusCode);
        Assert.Equal("text/html; charset=utf-8", ended.Content.Headers.ContentType!.ToString());
        Assert.Contains("This mirrord session has ended", await ended.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("<code>bob-7</code>", await ended.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The next service down the chain, called with the baggage only: a plain answer, and a gRPC one for gRPC.
        using var api = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false });
        using var call = new HttpRequestMessage(HttpMethod.Get, Url("/whoami"));
        call.Headers.TryAddWithoutValidation("baggage", "mirrord-session=bob-7");
        using var plain = await api.SendAsync(call);
        Assert.Equal(HttpStatusCode.Gone, plain.StatusCode);
        Assert.Equal("session-ended", plain.Headers.GetValues("mirrord-error").Single());
        var grpc = LoopbackClients.Grpc(_env.Sidecar.UrlFor(_env.Pod.GrpcPort), out var channel);
        using (channel)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(async () => await grpc.SayAsync(new EchoRequest { Text = "a" }, new Metadata { { "baggage", "mirrord-session=bob-7" } }));
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.Contains("has ended", failure.Status.Detail, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(_env.Pod.Requests, request => request.Headers.ContainsKey("baggage"));

        // The developer starts again with the same key: the browser's requests reach the laptop again.
        await using (var again = await _env.ConnectAsync("steal", KeyFilter, "--key", "bob-7"))
        {
            using var resumed = await browser.GetAsync(Url("/whoami"));
            Assert.Equal("laptop", await resumed.ServedByAsync());
        }

        using var clearing = await browser.GetAsync(Url("/whoami?mirrord-session="));
        Assert.Equal("pod", await clearing.ServedByAsync());
        Assert.DoesNotContain(_env.Pod.Requests, request => request.Headers.ContainsKey("baggage"));
    }

    /// <summary>A browser: it follows redirects and keeps cookies.</summary>
    private static HttpClient Browser() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = true, CookieContainer = new CookieContainer() })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private Uri Url(string pathAndQuery) => _env.Sidecar.UrlFor(_env.Pod.HttpPort, pathAndQuery);
}
