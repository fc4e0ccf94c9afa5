using Mirrord.Incoming.Policy;

namespace Mirrord.Incoming.Tests.Policy;

/// <summary>
/// The request/filter table. Each incoming config is written as users write it (comments and
/// trailing commas allowed); headers are given as the sidecar's adapter presents them.
/// </summary>
public static class FilterCases
{
    private const TrafficAction Steal = TrafficAction.Steal;
    private const TrafficAction Pass = TrafficAction.Pass;
    private const TrafficAction Mirror = TrafficAction.Mirror;

    private const string SeedHeader = """{ "mode": "steal", "http_filter": { "header_filter": "X-My-Header: my-header-value", "ports": [80, 8080] }, }""";
    private const string SeedRegexHeader = """{ "mode": "steal", "http_filter": { "header_filter": "X-Header-.+: header-value-.+" } }""";
    private const string Probe = """{ "mode": "steal", "http_filter": { "header_filter": "^User-Agent: (?!kube-probe)", } }""";
    private const string HealthPath = """{ "mode": "steal", "http_filter": { "path_filter": "^(?!/health/)", } }""";
    private const string SeedPath = """{ "mode": "steal", "http_filter": { "path_filter": "my/path", "ports": [80, 8080] }, }""";
    private const string DevBob = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: bob$" } }""";
    private const string DevAlice = """{ "mode": "steal", "http_filter": { "header_filter": "^x-dev: alice$" } }""";
    private const string UsersPath = """{ "mode": "steal", "http_filter": { "path_filter": "^/api/v1/users$" } }""";
    private const string QueryPath = """{ "mode": "steal", "http_filter": { "path_filter": "[?&]id=3(&|$)" } }""";
    private const string AllOf = """
        { "mode": "steal", "http_filter": { "all_of": [
            { "header": "^x-debug-session: 121212$" },
            { "path": "^/api/my-endpoint$" },
        ] } }
        """;
    private const string AnyOf = """
        { "mode": "steal", "http_filter": { "any_of": [
            { "path": "^/api/my-endpoint$" },
            { "header": "^x-debug-session: 121212$" },
        ] } }
        """;
    private const string Method = """{ "mode": "steal", "http_filter": { "method_filter": "post" } }""";
    private const string MethodAndHeader = """{ "mode": "steal", "http_filter": { "all_of": [ { "method": "POST" }, { "header": "^X-Dev: alice$" } ] } }""";
    private const string Body = """{ "mode": "steal", "http_filter": { "body_filter": { "body": "json", "query": "$.user.id", "matches": "^42$" } } }""";
    private const string BodyItems = """{ "mode": "steal", "http_filter": { "any_of": [ { "body": "json", "query": "$.items[*].sku", "matches": "^SKU-7" } ] } }""";
    private const string ListedUnfiltered = """{ "mode": "steal", "ports": [8080, 5432], "http_filter": { "header_filter": "^User-Agent: (?!kube-probe)" } }""";
    private const string CustomPorts = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Dev: alice$", "ports": 3000 } }""";
    private const string Ignore = """{ "mode": "steal", "ignore_ports": [8080] }""";
    private const string OnlyPorts = """{ "mode": "steal", "ports": [8080] }""";
    private const string MirrorAlice = """{ "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: alice$" } }""";
    private const string Legacy = """{ "mode": "steal", "http_header_filter": { "filter": "^X-Dev: alice$" } }""";
    private const string Host = """{ "mode": "steal", "http_filter": { "header_filter": "^host: api\\..+" } }""";
    private const string EmptyValue = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Empty: $" } }""";
    private const string LongValue = """{ "mode": "steal", "http_filter": { "header_filter": "^X-Token: a{8000}z$" } }""";
    private const string GrpcMetadata = """{ "mode": "steal", "http_filter": { "all_of": [ { "path": "^/orders\\.v1\\.Orders/" }, { "header": "^x-tenant: acme$" } ] } }""";

    private const string TwoUnanchored = """{ "mode": "steal", "http_filter": { "any_of": [ { "header": "X-Dev: alice" }, { "header": "X-Team: (pay|ship)ments" } ] } }""";
    private const string Backreference = """{ "mode": "steal", "http_filter": { "any_of": [ { "header": "X-Dev: alice" }, { "header": "X-Twin: (\\w+)-\\1$" } ] } }""";

    private static readonly string s_longToken = new string('a', 8000) + "z";

    private static readonly FilterCase[] s_cases =
    [
        new("seed header: exact header is stolen", SeedHeader, 8080, TestRequest.Get().With("X-My-Header: my-header-value"), Steal),
        new("seed header: other value passes", SeedHeader, 8080, TestRequest.Get().With("X-My-Header: other"), Pass),
        new("seed header: HTTP/2 lowercase name is stolen", SeedHeader, 8080, TestRequest.Get().With("x-my-header: my-header-value"), Steal),
        new("seed header: value compares ignoring case like mirrord", SeedHeader, 8080, TestRequest.Get().With("X-My-Header: MY-HEADER-VALUE"), Steal),
        new("seed header: no headers passes", SeedHeader, 80, TestRequest.Get(), Pass),
        new("seed regex header: wildcard name and value are stolen", SeedRegexHeader, 8080, TestRequest.Get().With("X-Header-Foo: header-value-bar"), Steal),
        new("seed regex header: empty wildcard part passes", SeedRegexHeader, 8080, TestRequest.Get().With("X-Header-: header-value-x"), Pass),
        new("probe lookahead: kube-probe passes", Probe, 8080, TestRequest.Get("/healthz").With("User-Agent: kube-probe/1.30", "Accept: */*"), Pass),
        new("probe lookahead: curl is stolen", Probe, 8080, TestRequest.Get("/api").With("User-Agent: curl/8.5.0"), Steal),
        new("probe lookahead: HTTP/2 kube-probe passes", Probe, 8080, TestRequest.Get().With("user-agent: kube-probe/1.31"), Pass),
        new("probe lookahead: HTTP/2 grpc-go is stolen", Probe, 8080, TestRequest.Get().With("user-agent: grpc-go/1.60.1"), Steal),
        new("probe lookahead: request without User-Agent passes", Probe, 8080, TestRequest.Get().With("Accept: */*"), Pass),
        new("health lookahead: /health/ready passes", HealthPath, 8080, TestRequest.Get("/health/ready"), Pass),
        new("health lookahead: /api/orders is stolen", HealthPath, 8080, TestRequest.Get("/api/orders"), Steal),
        new("health lookahead: /healthz is stolen (not under /health/)", HealthPath, 8080, TestRequest.Get("/healthz"), Steal),
        new("seed path: unanchored pattern searches the path", SeedPath, 80, TestRequest.Get("/api/my/path/x"), Steal),
        new("seed path: other path passes", SeedPath, 80, TestRequest.Get("/api/other"), Pass),
        new("path: anchored pattern ignores the query", UsersPath, 8080, TestRequest.Get("/api/v1/users?id=3"), Steal),
        new("path: query string is matched with the path", QueryPath, 8080, TestRequest.Get("/api/v1/users?id=3"), Steal),
        new("path: other query value passes", QueryPath, 8080, TestRequest.Get("/api/v1/users?id=4"), Pass),
        new("path: case-insensitive like mirrord", UsersPath, 8080, TestRequest.Get("/API/V1/Users"), Steal),
        new("multi-value header: second value is its own line", DevBob, 8080, TestRequest.Get().With("X-Dev: alice", "X-Dev: bob"), Steal),
        new("comma-joined header: one line, anchored value misses", DevBob, 8080, TestRequest.Get().With("X-Dev: alice, bob"), Pass),
        new("anchored end: longer value passes", DevAlice, 8080, TestRequest.Get().With("X-Dev: alice2"), Pass),
        new("anchored name: longer header name passes", DevAlice, 8080, TestRequest.Get().With("X-Devx: alice"), Pass),
        new("unanchored pattern searches inside the line", SeedHeader, 8080, TestRequest.Get().With("Not-X-My-Header: my-header-value"), Steal),
        new("all_of: both match is stolen", AllOf, 8080, TestRequest.Get("/api/my-endpoint").With("x-debug-session: 121212"), Steal),
        new("all_of: header matches but path does not passes", AllOf, 8080, TestRequest.Get("/api/other").With("x-debug-session: 121212"), Pass),
        new("any_of: path alone is stolen", AnyOf, 8080, TestRequest.Get("/api/my-endpoint"), Steal),
        new("any_of: header alone is stolen", AnyOf, 8080, TestRequest.Get("/x").With("X-Debug-Session: 121212"), Steal),
        new("any_of: neither passes", AnyOf, 8080, TestRequest.Get("/x").With("x-debug-session: 1"), Pass),
        new("method: case-insensitive match is stolen", Method, 8080, new TestRequest("POST", "/orders"), Steal),
        new("method: other method passes", Method, 8080, TestRequest.Get("/orders"), Pass),
        new("all_of method and header: both is stolen", MethodAndHeader, 8080, new TestRequest("post", "/").With("X-Dev: alice"), Steal),
        new("all_of method and header: wrong method passes", MethodAndHeader, 8080, new TestRequest("PUT", "/").With("X-Dev: alice"), Pass),
        new("json body: selected number matches", Body, 8080, new TestRequest("POST", "/").WithBody("application/json", """{"user":{"id":42}}"""), Steal),
        new("json body: other number passes", Body, 8080, new TestRequest("POST", "/").WithBody("application/json; charset=utf-8", """{"user":{"id":421}}"""), Pass),
        // As mirrord's agent (agent/src/http/filter.rs, HttpFilter::Body): the body is parsed whatever its Content-Type.
        new("json body: a JSON body under another content type is stolen too", Body, 8080, new TestRequest("POST", "/").WithBody("text/plain", """{"user":{"id":42}}"""), Steal),
        new("json body: a body that is not JSON passes", Body, 8080, new TestRequest("POST", "/").WithBody("application/x-www-form-urlencoded", "user.id=42"), Pass),
        new("json body: malformed JSON passes", Body, 8080, new TestRequest("POST", "/").WithBody("application/json", """{"user":{"id":42"""), Pass),
        new("json body: wildcard selects one of many", BodyItems, 8080, new TestRequest("POST", "/").WithBody("application/vnd.api+json", """{"items":[{"sku":"SKU-1"},{"sku":"SKU-77"}]}"""), Steal),
        new("port outside http_filter.ports is left alone", Probe, 9000, TestRequest.Get().With("User-Agent: curl/8.5.0"), Pass),
        new("port in ports but outside http_filter.ports is stolen whole", ListedUnfiltered, 5432, TestRequest.Get().With("User-Agent: kube-probe/1.30"), Steal),
        new("port in ports and in http_filter.ports is filtered", ListedUnfiltered, 8080, TestRequest.Get().With("User-Agent: kube-probe/1.30"), Pass),
        new("single-number http_filter.ports filters that port", CustomPorts, 3000, TestRequest.Get().With("X-Dev: bob"), Pass),
        new("single-number http_filter.ports leaves 8080 alone", CustomPorts, 8080, TestRequest.Get().With("X-Dev: alice"), Pass),
        new("ignore_ports keeps the port on the pod", Ignore, 8080, TestRequest.Get(), Pass),
        new("ignore_ports takes the other ports", Ignore, 9090, TestRequest.Get(), Steal),
        new("ports limits the session to listed ports", OnlyPorts, 9090, TestRequest.Get(), Pass),
        new("mirror with matching filter mirrors", MirrorAlice, 8080, TestRequest.Get().With("X-Dev: alice"), Mirror),
        new("mirror with other request passes", MirrorAlice, 8080, TestRequest.Get().With("X-Dev: bob"), Pass),
        new("mode off passes everything", """{ "mode": "off", "http_filter": { "header_filter": "." } }""", 8080, TestRequest.Get().With("X-Dev: alice"), Pass),
        new("steal shorthand takes any port", "\"steal\"", 5432, TestRequest.Get(), Steal),
        new("mirror shorthand mirrors any port", "\"mirror\"", 8080, TestRequest.Get(), Mirror),
        new("legacy http_header_filter still filters", Legacy, 8080, TestRequest.Get().With("X-Dev: alice"), Steal),
        new("HTTP/2 :authority arrives as Host", Host, 8080, TestRequest.Get().With("Host: api.shop.svc"), Steal),
        new("empty header value renders as 'Name: '", EmptyValue, 8080, TestRequest.Get().With("X-Empty: "), Steal),
        new("8 KB header value is matched whole", LongValue, 8080, TestRequest.Get().With($"X-Token: {s_longToken}"), Steal),
        new("gRPC: method path and metadata are stolen", GrpcMetadata, 8080, new TestRequest("POST", "/orders.v1.Orders/Get").With("content-type: application/grpc", "te: trailers", "x-tenant: acme"), Steal),
        new("gRPC: other tenant passes", GrpcMetadata, 8080, new TestRequest("POST", "/orders.v1.Orders/Get").With("content-type: application/grpc", "x-tenant: umbrella"), Pass),
        new("unanchored any_of: second rule matches through the shared prefilter", TwoUnanchored, 8080, TestRequest.Get().With("Accept: */*", "x-team: shipments"), Steal),
        new("unanchored any_of: no rule matches", TwoUnanchored, 8080, TestRequest.Get().With("X-Team: marketing", "X-Dev: bob"), Pass),
        new("backreference pattern keeps its meaning beside others", Backreference, 8080, TestRequest.Get().With("X-Twin: ab-ab"), Steal),
        new("backreference pattern rejects a non-twin", Backreference, 8080, TestRequest.Get().With("X-Twin: ab-cd"), Pass),
    ];

    public static TheoryData<string> Names => [.. s_cases.Select(c => c.Name)];

    public static FilterCase Get(string name) => s_cases.Single(c => c.Name == name);
}
