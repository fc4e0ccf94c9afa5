using System.Net;
using Mirrord.Incoming.Guardrails;
using Mirrord.Incoming.Outgoing;

namespace Mirrord.Incoming.Tests.Outgoing;

/// <summary>
/// mirrord's address syntax and <c>feature.network.outgoing</c>/<c>dns</c> as mirrord reads them
/// (mirrord-config <c>src/feature/network/filter.rs</c>, <c>outgoing.rs</c>, <c>dns.rs</c>, release 3.250).
/// </summary>
public sealed class OutgoingConfigTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "db", "10.1.2.3", 5432, true)]
    [InlineData("10.0.0.0/8", "db", "11.1.2.3", 5432, false)]
    [InlineData("postgres:5432", "postgres.shop.svc.cluster.local", null, 5432, true)]
    [InlineData("postgres:5432", "postgres", null, 5433, false)]
    [InlineData(":443", "anything", "1.2.3.4", 443, true)]
    [InlineData("tcp://1.1.1.0/24:1337", null, "1.1.1.9", 1337, true)]
    [InlineData("udp://1.1.1.0/24:1337", null, "1.1.1.9", 1337, false)]
    [InlineData("0.0.0.0:53", null, "8.8.8.8", 53, true)]
    [InlineData("[::1]:80", null, "::1", 80, true)]
    [InlineData("shop.svc", "orders.shop.svc.cluster.local", null, 80, true)]
    public void Address_MatchesAsMirrordDoes(string entry, string? host, string? address, int port, bool expected)
    {
        Assert.True(AddressFilter.TryParse(entry, out var filter, out var problem), problem);

        Assert.Equal(expected, filter.Matches(AddressProtocol.Tcp, host, address is null ? null : IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("ftp://x:1", "the protocol must be tcp, udp or any")]
    [InlineData("db:http", "the port \"http\" is not a number")]
    [InlineData("db/8", "the base of a subnet must be an IP address")]
    [InlineData("10.0.0.0/40", "longer than the address")]
    [InlineData("d b", "neither a host name nor an IP address")]
    public void BadAddress_IsNamed(string entry, string expected)
    {
        Assert.False(AddressFilter.TryParse(entry, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_EverythingThroughThePod_NamesResolvedThere()
    {
        var (config, errors) = OutgoingConfigParser.ParseMirrordJson("{}");

        Assert.Empty(errors);
        Assert.True(config!.ThroughPod("postgres", 5432));
        Assert.True(config.ThroughPod("localhost", 9000));
        Assert.True(config.ResolvesInPod("postgres", 5432));
    }

    [Fact]
    public void Filters_DecideWhatStaysLocal()
    {
        var (config, errors) = OutgoingConfigParser.ParseMirrordJson("""
            { "feature": { "network": {
              "outgoing": { "ignore_localhost": true, "filter": { "local": ["10.0.0.0/8", ":6379"] } },
              "dns": { "filter": { "local": ["corp.example"] } }
            } } }
            """);

        Assert.Empty(errors);
        Assert.False(config!.ThroughPod("10.9.9.9", 80));
        Assert.False(config.ThroughPod("redis", 6379));
        Assert.False(config.ThroughPod("127.0.0.1", 9000));
        Assert.True(config.ThroughPod("postgres", 5432));
        Assert.False(config.ResolvesInPod("git.corp.example", 443));
        Assert.True(config.ResolvesInPod("postgres", 5432));
    }

    [Fact]
    public void BadOutgoingConfig_NamesEachField_AndYieldsNothing()
    {
        var (config, errors) = OutgoingConfigParser.ParseMirrordJson("""
            { "feature": { "network": { "outgoing": { "tcp": "yes", "filter": { "remote": ["ok:1", "x:http"] }, "colour": 1 }, "dns": 3 } } }
            """);

        Assert.Null(config);
        Assert.Contains(errors, e => e.Path == "feature.network.outgoing.tcp" && e.Message.Contains("true or false", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "feature.network.outgoing.filter.remote[1]");
        Assert.Contains(errors, e => e.Path == "feature.network.outgoing.colour");
        Assert.Contains(errors, e => e.Path == "feature.network.dns");
    }

    [Fact]
    public void Policy_OutgoingRules_ParseCombineAndRoundTrip()
    {
        var (a, errorsA) = SessionPolicyParser.Parse("""{ "outgoingDestinations": ["10.0.0.0/8", "postgres:5432"] }""", "cluster");
        var (b, errorsB) = SessionPolicyParser.Parse("""{ "outgoingDestinations": [":5432"], "allowOutgoing": true }""", "namespace");
        Assert.Empty(errorsA);
        Assert.Empty(errorsB);

        var combined = a!.Combine(b!);
        var (again, errors) = SessionPolicyParser.Parse(combined.ToJson(), "sidecar");

        Assert.Empty(errors);
        Assert.Null(again!.CheckOutgoing("postgres", IPAddress.Parse("10.3.0.7"), 5432));
        Assert.Equal(PolicyRules.OutgoingDestinations, again.CheckOutgoing("redis", IPAddress.Parse("10.3.0.8"), 6379)!.Rule);
        Assert.Equal(PolicyRules.OutgoingDestinations, again.CheckOutgoing("evil.example", IPAddress.Parse("192.168.0.7"), 5432)!.Rule);
        Assert.Equal(PolicyRules.AllowOutgoing, again.Combine(SessionPolicyParser.Parse("""{ "allowOutgoing": false }""", "x").Policy!).CheckOutgoing("postgres", null, 5432)!.Rule);
    }

    [Fact]
    public void Policy_BadDestination_IsNamed()
    {
        var (policy, errors) = SessionPolicyParser.Parse("""{ "outgoingDestinations": ["db/8"], "allowOutgoing": "no" }""", "mirrord.dev/policy");

        Assert.Null(policy);
        Assert.Contains(errors, e => e.StartsWith("mirrord.dev/policy: outgoingDestinations: \"db/8\"", StringComparison.Ordinal));
        Assert.Contains("mirrord.dev/policy: allowOutgoing: must be true or false", errors);
    }
}
