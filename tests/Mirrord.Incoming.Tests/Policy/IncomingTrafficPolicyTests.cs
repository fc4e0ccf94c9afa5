using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Policy;

namespace Mirrord.Incoming.Tests.Policy;

public class IncomingTrafficPolicyTests
{
    [Theory]
    [MemberData(nameof(FilterCases.Names), MemberType = typeof(FilterCases))]
    public void Decide_TableCase_GivesExpectedAction(string name)
    {
        var testCase = FilterCases.Get(name);
        var config = IncomingConfigParser.ParseIncoming(testCase.Incoming).GetConfigOrThrow();
        var policy = IncomingTrafficPolicy.Compile(config);

        var decision = policy.Decide(testCase.Port, testCase.Request);

        Assert.True(testCase.Expected == decision.Action,
            $"{testCase.Request} on port {testCase.Port}: expected {testCase.Expected}, got {decision.Action} ({decision.Explain(policy)})");
    }

    [Fact]
    public void Decide_AllOfMissesOnPath_ExplainsWithThePathMember()
    {
        var policy = Compile("""{ "mode": "steal", "http_filter": { "all_of": [ { "header": "^x-s: 1$" }, { "path": "^/a$" } ] } }""");

        var decision = policy.Decide(8080, TestRequest.Get("/b").With("x-s: 1"));

        Assert.Equal(TrafficAction.Pass, decision.Action);
        Assert.Equal("did not match http_filter.all_of[1].path \"^/a$\"", decision.Explain(policy));
    }

    [Fact]
    public void Decide_AnyOfHitsOnSecondMember_ExplainsWithThatMember()
    {
        var policy = Compile("""{ "mode": "steal", "http_filter": { "any_of": [ { "path": "^/a$" }, { "header": "^x-s: 1$" } ] } }""");

        var decision = policy.Decide(8080, TestRequest.Get("/b").With("x-s: 1"));

        Assert.Equal("matched http_filter.any_of[1].header \"^x-s: 1$\"", decision.Explain(policy));
    }

    [Fact]
    public void Decide_PortOutsideFilterPorts_ExplainsThatTheWholePortIsTaken()
    {
        var policy = Compile("""{ "mode": "steal", "http_filter": { "path_filter": "^/a" } }""");

        var decision = policy.Decide(9000, TestRequest.Get("/b"));

        Assert.Equal(TrafficAction.Steal, decision.Action);
        Assert.Equal("port 9000 is not in http_filter.ports [80, 8080]: the whole port is stolen, unfiltered", decision.Explain(policy));
    }

    [Fact]
    public void ClaimFor_FilterSet_FiltersListedPortsAndTakesOthersWhole()
    {
        var policy = Compile("""{ "mode": "steal", "http_filter": { "path_filter": "^/a" } }""");

        Assert.Equal(PortClaimKind.FilteredRequests, policy.ClaimFor(80).Kind);
        Assert.Equal(PortClaimKind.FilteredRequests, policy.ClaimFor(8080).Kind);
        Assert.Equal(PortClaimKind.WholeConnections, policy.ClaimFor(5432).Kind);
    }

    [Fact]
    public void ClaimFor_ModeOff_ClaimsNothing()
    {
        var policy = Compile("\"off\"");

        Assert.Equal(PortClaimKind.None, policy.ClaimFor(8080).Kind);
    }

    [Fact]
    public void LocalPortFor_MappedPort_UsesTheMirrordLocalRemoteOrder()
    {
        var config = IncomingConfigParser.ParseIncoming("""{ "port_mapping": [[9333, 80]] }""").GetConfigOrThrow();

        Assert.Equal(9333, config.LocalPortFor(80));
        Assert.Equal(8080, config.LocalPortFor(8080));
    }

    private static IncomingTrafficPolicy Compile(string incoming)
        => IncomingTrafficPolicy.Compile(IncomingConfigParser.ParseIncoming(incoming).GetConfigOrThrow());
}
