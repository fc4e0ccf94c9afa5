using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Guardrails;
using Mirrord.Incoming.Policy;

namespace Mirrord.Incoming.Tests.Guardrails;

/// <summary>A platform team's policy, read, combined and applied to developers' session configs.</summary>
public sealed class SessionPolicyTests
{
    private static readonly int[] s_served = [8080, 9090];

    [Theory]
    [InlineData("""{ "allowedModes": ["steal", "borrow"] }""", "policy: allowedModes: \"borrow\" is not \"steal\", \"steal-unfiltered\" or \"mirror\"")]
    [InlineData("""{ "maxSessionsPerPod": -1 }""", "policy: maxSessionsPerPod: must be a whole number, 0 or more")]
    [InlineData("""{ "maxSessionLifetime": "two hours" }""", "policy: maxSessionLifetime: must be a positive duration")]
    [InlineData("""{ "protectedPorts": [0] }""", "policy: protectedPorts: 0 is not a port from 1 to 65535")]
    [InlineData("""{ "requiredHeader": { "name": "X Debug" } }""", "policy: requiredHeader: name \"X Debug\" is not an HTTP header name")]
    [InlineData("""{ "requiredHeader": "X-Debug" }""", "policy: requiredHeader: must be { \"name\": header name")]
    [InlineData("""{ "requiredHeader": { "name": "X-Debug", "value": "(" } }""", "policy: requiredHeader.value: invalid regex")]
    [InlineData("""{ "requiredHeaderFilter": "(x" }""", "policy: requiredHeaderFilter: invalid regex at offset 2")]
    [InlineData("""{ "maxSessions": 2 }""", "policy: maxSessions: unknown field; expected one of allowedModes")]
    [InlineData("""[1]""", "policy: must be a JSON object")]
    [InlineData("""{ "maxSessionsPerPod": 2, """, "policy: not JSON")]
    public void BadPolicy_IsRefusedWhole_NamingTheField(string text, string expected)
    {
        var (policy, errors) = SessionPolicyParser.Parse(text, "policy");

        Assert.Null(policy);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ClusterAndNamespace_CombineToTheStricter()
    {
        var cluster = Parse("""{ "allowedModes": ["steal", "mirror"], "maxSessionsPerPod": 5, "maxSessionLifetime": "08:00:00", "protectedPorts": [9090], "requiredHeader": { "name": "X-Debug-Session" } }""");
        var ns = Parse("""{ "allowedModes": ["mirror", "steal-unfiltered"], "maxSessionsPerPod": 2, "requiredHeaderFilter": "X-Dev", "protectedPorts": [5432], "requiredHeader": [ { "name": "X-Team", "value": "^shop$" } ], }""");

        var combined = cluster.Combine(ns);

        Assert.Equal([SessionKind.Mirror], combined.AllowedModes);
        Assert.Equal(2, combined.MaxSessionsPerPod);
        Assert.Equal(TimeSpan.FromHours(8), combined.MaxSessionLifetime);
        Assert.Equal(["X-Dev"], combined.RequiredHeaderFilters);
        Assert.Equal([5432, 9090], combined.ProtectedPorts);
        Assert.Equal([new RequiredHeader("X-Debug-Session", null), new RequiredHeader("X-Team", "^shop$")], combined.RequiredHeaders);
        Assert.Equal(combined, SessionPolicyParser.Parse(combined.ToJson(), "round trip").Policy! with { }, new PolicyComparer());
    }

    [Theory]
    [InlineData("""{ "allowedModes": ["mirror"] }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080, 9090] } }""", PolicyRules.Mode)]
    [InlineData("""{ "allowedModes": ["steal", "mirror"] }""", """{ "mode": "steal" }""", PolicyRules.Mode)]
    [InlineData("""{ "allowedModes": ["steal", "mirror"] }""", """{ "mode": "steal", "ports": [8080, 9090], "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080] } }""", PolicyRules.Mode)]
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-User: a$", "ports": [8080, 9090] } }""", PolicyRules.HeaderFilter)]
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "http_filter": { "any_of": [ { "header": "^X-Dev: a$" }, { "path": "^/" } ], "ports": [8080, 9090] } }""", PolicyRules.HeaderFilter)]
    [InlineData("""{ "protectedPorts": [9090] }""", """{ "mode": "steal", "ports": [8080, 9090], "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080, 9090] } }""", PolicyRules.ProtectedPort)]
    [InlineData("""{ "maxSessionsPerPod": 0 }""", """{ "mode": "mirror" }""", PolicyRules.MaxSessions)]
    // A pattern with a top-level alternation matches other headers' lines too: "^X-Dev: a$|." matches every request.
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: a$|.", "ports": [8080, 9090] } }""", PolicyRules.HeaderFilter)]
    // The header pinned on one port, another taken whole.
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "ports": [8080, 9090], "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080] } }""", PolicyRules.HeaderFilter)]
    [InlineData("""{ "requiredHeader": { "name": "X-Debug-Session" } }""", """{ "mode": "steal" }""", PolicyRules.RequiredHeader)]
    public void SessionAgainstARule_IsRefused_NamingTheRule(string policy, string incoming, string rule)
    {
        var refusal = Parse(policy).Check(Config(incoming), s_served, sessionsNow: 0);

        Assert.Equal(rule, refusal?.Rule);
    }

    [Theory]
    [InlineData("""{ "allowedModes": ["steal", "mirror"] }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080, 9090] } }""")]
    [InlineData("""{ "allowedModes": ["steal", "mirror"] }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080] } }""")]
    [InlineData("""{ "allowedModes": ["steal"], "protectedPorts": [9090] }""", """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080] } }""")]
    // Only the top-level ports name what a session takes (docs/POLICY.md): a protected port in http_filter.ports alone is allowed, and never stolen.
    [InlineData("""{ "protectedPorts": [9090] }""", """{ "mode": "steal", "ports": [8080], "http_filter": { "header_filter": "^X-Dev: a$", "ports": [8080, 9090] } }""")]
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "http_filter": { "all_of": [ { "header": "^X-Dev: a$" }, { "path": "^/api" } ], "ports": [8080, 9090] } }""")]
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "mirror" }""")]
    // Header patterns ignore case, so the requirement reads them so too.
    [InlineData("""{ "requiredHeaderFilter": "^\\^?X-Dev: " }""", """{ "mode": "steal", "http_filter": { "header_filter": "^x-dev: alice$", "ports": [8080, 9090] } }""")]
    [InlineData("""{ "requiredHeader": { "name": "X-Debug-Session" } }""", """{ "mode": "steal", "http_filter": { "path_filter": "^/", "ports": [8080, 9090] } }""")]
    [InlineData("""{ "maxSessionsPerPod": 1 }""", """{ "mode": "mirror" }""")]
    public void SessionWithinTheRules_IsAllowed(string policy, string incoming)
        => Assert.Null(Parse(policy).Check(Config(incoming), s_served, sessionsNow: 0));

    [Fact]
    public void ProtectedPorts_AreNeverStolen_ButMayBeMirrored()
    {
        var policy = Parse("""{ "protectedPorts": [9090] }""");

        Assert.Equal([9090], policy.Apply(Config("""{ "mode": "steal" }""")).WithheldPorts);
        Assert.Empty(policy.Apply(Config("""{ "mode": "mirror" }""")).WithheldPorts);
        // Whatever the session maps or lists: the protected container port stays withheld.
        var mapped = policy.Apply(Config("""{ "mode": "steal", "ports": [9090], "port_mapping": [[7000, 9090]] }"""));
        Assert.Equal(PortClaimKind.None, PortClaims.For(mapped, 9090).Kind);
    }

    private static SessionPolicy Parse(string text) => SessionPolicyParser.Parse(text, "policy") is { Policy: { } p } ? p : throw new InvalidOperationException(text);

    private static IncomingConfig Config(string incoming) => IncomingConfigParser.ParseIncoming(incoming).GetConfigOrThrow();

    private sealed class PolicyComparer : IEqualityComparer<SessionPolicy>
    {
        public bool Equals(SessionPolicy? x, SessionPolicy? y) => x!.ToJson() == y!.ToJson();

        public int GetHashCode(SessionPolicy obj) => obj.ToJson().GetHashCode(StringComparison.Ordinal);
    }
}
