using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Tests.Filtering;

public class HttpFilterTests
{
    private static readonly string s_evilValue = new string('a', 40) + "!";

    [Fact]
    public void Evaluate_CatastrophicPattern_TimesOutAsNoMatchAndLogs()
    {
        var logger = new ListLogger();
        var filter = Compile("""{ "header_filter": "^X-Evil: (a+)+$" }""", TimeSpan.FromMilliseconds(20), logger);

        var verdict = filter.Evaluate(TestRequest.Get().With($"X-Evil: {s_evilValue}"));

        Assert.False(verdict.IsMatch);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("FilterMatchTimedOut", entry.Id.Name);
        Assert.Contains("http_filter.header_filter", entry.Message);
    }

    [Fact]
    public void Evaluate_CatastrophicMemberTimesOut_OtherMembersStillDecide()
    {
        var filter = Compile(
            """{ "any_of": [ { "header": "^X-Evil: (a+)+$" }, { "path": "^/orders" } ] }""", TimeSpan.FromMilliseconds(20), new ListLogger());

        var verdict = filter.Evaluate(TestRequest.Get("/orders/1").With($"X-Evil: {s_evilValue}"));

        Assert.True(verdict.IsMatch);
        Assert.IsType<PathRule>(verdict.DecidingRule);
    }

    [Fact]
    public void Evaluate_PastTheRequestsFilterTime_TriesNoFurtherPattern_AndCountsItAsNoMatch()
    {
        // Each look at the clock moves it 30 ms, as if every match ran that long: the 100 ms are spent after four.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(30) };
        var filter = Compile("""{ "header_filter": "alice$" }""");
        var request = TestRequest.Get().With([.. Enumerable.Range(0, 9).Select(i => $"X-Filler-{i}: {i}"), "X-Dev: alice"]);

        var unbounded = filter.Evaluate(request);
        var bounded = filter.Evaluate(request, new FilterDeadline(clock, FilterDeadline.DefaultBudget));

        Assert.True(unbounded.IsMatch);
        Assert.False(bounded.IsMatch);
    }

    [Fact]
    public void Evaluate_HeaderAndPathRules_AllocatesNothingPerRequest()
    {
        var filter = Compile("""
            { "any_of": [
                { "header": "^X-Dev: alice$" }, { "header": "^User-Agent: (?!kube-probe)" },
                { "header": "X-Header-.+: header-value-.+" }, { "path": "^(?!/health/)" }, { "method": "DELETE" },
            ] }
            """);
        var request = new TestRequest("GET", "/health/ready?verbose=1").With(
            "Host: orders.shop.svc.cluster.local", "User-Agent: kube-probe/1.31", "Accept: */*", $"X-Long: {new string('v', 700)}");
        filter.Evaluate(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            filter.Evaluate(request, new FilterDeadline(TimeProvider.System, FilterDeadline.DefaultBudget));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Evaluate_AllHeaderRulesSettled_StopsVisitingHeaders()
    {
        var filter = Compile("""{ "header_filter": "^X-Dev: alice$" }""");
        var request = TestRequest.Get().With("X-Dev: alice", "Accept: */*", "X-Other: 1");

        Assert.True(filter.Evaluate(request).IsMatch);
        Assert.Equal(1, request.HeadersVisited);
    }

    [Fact]
    public void Evaluate_NoHeaderRules_NeverVisitsHeaders()
    {
        var filter = Compile("""{ "path_filter": "^/a" }""");
        var request = TestRequest.Get("/a").With("X-Dev: alice");

        filter.Evaluate(request);

        Assert.Equal(0, request.HeadersVisited);
    }

    [Fact]
    public void NeedsBody_OnlyWithABodyRule()
    {
        Assert.False(Compile("""{ "header_filter": "x" }""").NeedsBody);
        Assert.True(Compile("""{ "all_of": [ { "header": "x" }, { "body": "json", "query": "$.a", "matches": "b" } ] }""").NeedsBody);
    }

    [Theory]
    [InlineData("^User-Agent: (?!kube-probe)", "User-Agent")]
    [InlineData("^x-dev: alice$", "x-dev")]
    [InlineData("^X-Dev:(a|b)", "X-Dev")]
    [InlineData("X-Dev: alice", null)]
    [InlineData("^X-Dev: a|b", null)]
    [InlineData("^X-Header-.+: v", null)]
    [InlineData("^(?i)x-dev: a", null)]
    public void AnchoredHeaderName_OnlyForPatternsPinnedToOneName(string pattern, string? expected)
        => Assert.Equal(expected, FilterPattern.AnchoredHeaderName(pattern));

    private static HttpFilter Compile(string httpFilter, TimeSpan? timeout = null, ILogger? logger = null)
    {
        var config = IncomingConfigParser.ParseIncoming($$"""{ "mode": "steal", "http_filter": {{httpFilter}} }""").GetConfigOrThrow();
        var options = new FilterOptions { MatchTimeout = timeout ?? FilterOptions.Default.MatchTimeout };
        return HttpFilter.Compile(config.HttpFilter!.Rule, options, logger);
    }
}
