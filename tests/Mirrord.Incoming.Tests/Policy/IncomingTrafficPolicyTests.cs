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
    public void Decide_PortOutsideFilterPorts_ExplainsThatTheSessionLeavesIt_AndHowToTakeIt()
    {
        var policy = Compile("""{ "mode": "steal", "http_filter": { "path_filter": "^/a" } }""");

        var decision = policy.Decide(3000, TestRequest.Get("/a"));

        Assert.Equal(TrafficAction.Pass, decision.Action);
        Assert.Equal(
            "port 3000 is not in http_filter.ports [80, 8080], so the session leaves it to the app (add it to http_filter.ports to filter it, or list it in ports to take it whole)",
            decision.Explain(policy));
    }

    [Fact]
    public void ClaimFor_FilterSet_FiltersItsPorts_TakesWholeOnlyWhatPortsLists_LeavesTheRest()
    {
        // mirrord 3.97.0 (CHANGELOG.md, 2024-04-16): "Ports not listed in this field are not stolen, unless listed in incoming.ports".
        var implicitPorts = Compile("""{ "mode": "steal", "http_filter": { "path_filter": "^/a" } }""");
        var explicitPorts = Compile("""{ "mode": "steal", "ports": [8080, 5432], "http_filter": { "path_filter": "^/a" } }""");

        Assert.Equal(PortClaimKind.FilteredRequests, implicitPorts.ClaimFor(80).Kind);
        Assert.Equal(PortClaimKind.FilteredRequests, implicitPorts.ClaimFor(8080).Kind);
        Assert.Equal(PortClaimKind.None, implicitPorts.ClaimFor(3000).Kind);
        Assert.Equal(PortClaimKind.None, implicitPorts.ClaimFor(5432).Kind);
        Assert.Equal(PortClaimKind.FilteredRequests, explicitPorts.ClaimFor(8080).Kind);
        Assert.Equal(PortClaimKind.WholeConnections, explicitPorts.ClaimFor(5432).Kind);
        Assert.Equal(PortClaimKind.None, explicitPorts.ClaimFor(80).Kind);
    }

    [Fact]
    public void IgnorePorts_NameTheLocalPorts_WhenPortMappingMapsThem_AsMirrordComparesThem()
    {
        // mirrord layer socket/ops.rs, bind: ignore_ports is checked against the port the local process binds (port_mapping's
        // left side), while ports is checked against the mapped (remote) port (is_ignored_tcp_port).
        var config = IncomingConfigParser.ParseIncoming("""
            { "mode": "steal", "port_mapping": [[9000, 8080], [9001, 8081]], "ignore_ports": [9000, 8081] }
            """).GetConfigOrThrow();

        Assert.Equal(PortClaimKind.None, PortClaims.For(config, 8080).Kind);
        Assert.Equal(PortClaimKind.WholeConnections, PortClaims.For(config, 8081).Kind);
        Assert.Equal(PortClaimKind.None, PortClaims.For(config, 9000).Kind);
        Assert.Contains("port_mapping maps port 8080 to a local port that is in ignore_ports", PortClaims.Describe(config, 8080), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_EachNamedPort_SaysFilteredTakenWholeOrLeftAlone_AndHowToChangeIt()
    {
        var listed = IncomingConfigParser.ParseIncoming("""{ "mode": "steal", "ports": [8080, 5432], "http_filter": { "header_filter": "^X-Dev: a$" } }""").GetConfigOrThrow();
        var ignoring = IncomingConfigParser.ParseIncoming("""{ "mode": "mirror", "ignore_ports": [9999], "http_filter": { "header_filter": "^X-Dev: a$" } }""").GetConfigOrThrow();

        static List<string> Lines(IncomingConfig config) => [.. PortClaims.Named(config).Select(port => PortClaims.Describe(config, port)), PortClaims.DescribeOthers(config)];

        Assert.Equal(
            [
                "port 80: left alone: port 80 is not in ports [8080, 5432] (add it there to take it)",
                "port 5432: taken whole: port 5432 is in ports but not in http_filter.ports [80, 8080]: the whole port is stolen, unfiltered (add it to http_filter.ports to filter it)",
                "port 8080: filtered: port 8080 is in http_filter.ports: each request is filtered",
                "any other port: left alone: it is not in ports [8080, 5432] (add it there to take it)",
            ],
            Lines(listed));
        Assert.Equal(
            [
                "port 80: filtered: port 80 is in http_filter.ports: each request is filtered",
                "port 8080: filtered: port 8080 is in http_filter.ports: each request is filtered",
                "port 9999: left alone: port 9999 is in ignore_ports",
                "any other port: left alone: it is not in http_filter.ports [80, 8080], so the session leaves it to the app (add it to http_filter.ports to filter it, or list it in ports to take it whole)",
            ],
            Lines(ignoring));
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
