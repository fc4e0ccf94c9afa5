using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Tests.Configuration;

public class IncomingConfigParserTests
{
    public static TheoryData<string> SeedFiles =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testassets", "seed"), "*.json").Select(file => Path.GetFileName(file)).Order()];

    [Theory]
    [MemberData(nameof(SeedFiles))]
    public void ParseMirrordJson_SeedExample_ParsesAsWritten(string file)
    {
        var result = IncomingConfigParser.ParseMirrordJson(ReadSeed(file));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        Assert.Equal(IncomingMode.Steal, result.Config!.Mode);
    }

    [Fact]
    public void ParseMirrordJson_SeedProbeFilter_DefaultsPortsTo80And8080()
    {
        var config = IncomingConfigParser.ParseMirrordJson(ReadSeed("probe-negative-lookahead.json")).GetConfigOrThrow();

        var rule = Assert.IsType<HeaderRuleConfig>(config.HttpFilter!.Rule);
        Assert.Equal("^User-Agent: (?!kube-probe)", rule.Pattern);
        Assert.Equal([80, 8080], config.HttpFilter.Ports);
        Assert.Equal("feature.network.incoming.http_filter.header_filter", rule.ConfigPath);
        Assert.Equal(new(7, 28), rule.Position);
    }

    [Fact]
    public void ParseMirrordJson_NoIncoming_IsMirrordsDefaultMirror()
    {
        var config = IncomingConfigParser.ParseMirrordJson("""{ "target": "pod/x", "feature": { "env": true, "fs": "read" } }""").GetConfigOrThrow();

        Assert.Equal(IncomingMode.Mirror, config.Mode);
        Assert.Null(config.HttpFilter);
        Assert.Equal(ConcurrentStealPolicy.Abort, config.OnConcurrentSteal);
    }

    [Fact]
    public void ParseMirrordJson_NetworkFalse_TurnsIncomingOff()
        => Assert.Equal(IncomingMode.Off, IncomingConfigParser.ParseMirrordJson("""{ "feature": { "network": false } }""").GetConfigOrThrow().Mode);

    [Fact]
    public void ParseIncoming_FullObject_ReadsEveryField()
    {
        var config = IncomingConfigParser.ParseIncoming("""
            /* the annotation form: a bare incoming object */
            {
              "mode": "steal",
              "http_filter": { "any_of": [ { "header": "^X-Dev: alice$" }, { "method": "post" },
                                           { "body": { "type": "json", "query": "$.id", "matches": "^1$" } } ],
                               "ports": [8080, 9090] },
              "port_mapping": [[5000, 8080]],
              "ignore_ports": [9999],
              "on_concurrent_steal": "override",
            }
            """).GetConfigOrThrow();

        var composite = Assert.IsType<CompositeRuleConfig>(config.HttpFilter!.Rule);
        Assert.False(composite.RequiresAll);
        Assert.Collection(composite.Rules,
            r => Assert.Equal("^X-Dev: alice$", Assert.IsType<HeaderRuleConfig>(r).Pattern),
            r => Assert.Equal("post", Assert.IsType<MethodRuleConfig>(r).Method),
            r => Assert.Equal("$.id", Assert.IsType<JsonBodyRuleConfig>(r).Query));
        Assert.Equal([8080, 9090], config.HttpFilter.Ports);
        Assert.Equal([new PortMapping(5000, 8080)], config.PortMapping);
        Assert.Equal([9999], config.IgnorePorts);
        Assert.Equal(ConcurrentStealPolicy.Override, config.OnConcurrentSteal);
    }

    [Fact]
    public void ParseIncoming_TlsDelivery_IsReadForTheCli()
    {
        var result = IncomingConfigParser.ParseIncoming("""
            { "mode": "steal", "tls_delivery": { "protocol": "tls", "trust_roots": ["/certs/ca.pem"], "server_name": "orders.local" } }
            """);

        var delivery = result.GetConfigOrThrow().TlsDelivery;
        Assert.True(delivery.Tls);
        Assert.Equal(["/certs/ca.pem"], delivery.TrustRoots);
        Assert.Equal("orders.local", delivery.ServerName);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void HttpFilter_AsABoolean_IsNoFilter_AsMirrordsToggle(string toggle)
    {
        // mirrord-config util.rs, ToggleableConfig: true is HttpFilterFileConfig's enabled_config, false its disabled_config;
        // neither sets a filter of the file's own (http_filter.rs, MirrordToggleableConfig for HttpFilterFileConfig).
        var result = IncomingConfigParser.ParseIncoming($$"""{ "mode": "steal", "http_filter": {{toggle}} }""");

        Assert.Null(result.GetConfigOrThrow().HttpFilter);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    // mirrord-config http_filter.rs: header_filter_jq, and InnerFilter::HeaderJq { query } as a member of all_of/any_of.
    [InlineData("""{ "http_filter": { "header_filter_jq": "ascii_downcase | startswith(\"x-dev: alice\")" } }""", "feature.network.incoming.http_filter.header_filter_jq")]
    [InlineData("""{ "http_filter": { "any_of": [{ "header": "^x: 1$" }, { "query": "test(\"^x-dev\")" }] } }""", "feature.network.incoming.http_filter.any_of[1].query")]
    public void JqFilters_AreRefusedAtLoad_NamingTheField(string json, string path)
    {
        var result = IncomingConfigParser.ParseIncoming(json);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains("is a jq filter, which this sidecar cannot run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsDelivery_AbsentOrWithoutAProtocol_IsTls_AsMirrordsDefault()
    {
        // mirrord-config feature/network/incoming/tls_delivery.rs: TlsDeliveryProtocol's default is Tls, and
        // LocalTlsDelivery::default() applies when the field is absent (mirrord cli internal_proxy.rs).
        Assert.True(IncomingConfigParser.ParseIncoming("""{ "mode": "steal" }""").GetConfigOrThrow().TlsDelivery.Tls);
        Assert.True(IncomingConfigParser.ParseIncoming("""{ "tls_delivery": { "server_name": "localhost" } }""").GetConfigOrThrow().TlsDelivery.Tls);
        Assert.False(IncomingConfigParser.ParseIncoming("""{ "tls_delivery": { "protocol": "tcp" } }""").GetConfigOrThrow().TlsDelivery.Tls);
    }

    [Fact]
    public void HttpsDelivery_IsReadAsTlsDelivery_WithAWarning_AndNeverTogetherWithIt()
    {
        // mirrord-config src/lib.rs, LayerConfig::verify: deprecated with a warning; both together a conflict.
        var old = IncomingConfigParser.ParseIncoming("""{ "https_delivery": { "protocol": "tcp" } }""");
        var both = IncomingConfigParser.ParseIncoming("""{ "https_delivery": { "protocol": "tcp" }, "tls_delivery": { "protocol": "tls" } }""");

        Assert.False(old.GetConfigOrThrow().TlsDelivery.Tls);
        Assert.Contains(old.Warnings, w => w.Path == "feature.network.incoming.https_delivery" && w.Message.Contains("write tls_delivery", StringComparison.Ordinal));
        Assert.Null(both.Config);
        Assert.Contains(both.Errors, e => e.Message.Contains("cannot be set together with tls_delivery", StringComparison.Ordinal));
    }

    [Theory]
    // mirrord-config feature/network/incoming/tls_delivery.rs, LocalTlsDelivery::verify.
    [InlineData("""{ "tls_delivery": { "trust_roots": ["/ca.pem"], "server_cert": "/server.pem" } }""", "feature.network.incoming.tls_delivery.server_cert", "cannot be set together with trust_roots")]
    [InlineData("""{ "tls_delivery": { "trust_roots": [] } }""", "feature.network.incoming.tls_delivery.trust_roots", "cannot be an empty list")]
    [InlineData("""{ "tls_delivery": { "server_name": "not a name!" } }""", "feature.network.incoming.tls_delivery.server_name", "must be a valid DNS name or an IP address; got \"not a name!\"")]
    public void TlsDelivery_AsMirrordVerifiesIt(string json, string path, string message)
    {
        var result = IncomingConfigParser.ParseIncoming(json);

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "mode": "steal", "http_filter": { "header_filter": "^(abc" } }""",
        "feature.network.incoming.http_filter.header_filter", "invalid regex at offset 5", 1, 54)]
    [InlineData("""{ "mode": "Steal" }""", "feature.network.incoming.mode", "values are lowercase: \"steal\"", 1, 11)]
    [InlineData("""{ "mode": "steal", "http_filter": { "header_filter": "a", "path_filter": "b" } }""",
        "feature.network.incoming.http_filter", "sets header_filter and path_filter; set exactly one", 1, 35)]
    [InlineData("""{ "http_filter": { "headers_filter": "a" } }""",
        "feature.network.incoming.http_filter.headers_filter", "did you mean \"header_filter\"", 1, 20)]
    [InlineData("""{ "http_filter": { "any_of": [] } }""", "feature.network.incoming.http_filter.any_of", "cannot be empty", 1, 30)]
    [InlineData("""{ "http_filter": { "all_of": [ { "header": "a", "path": "b" } ] } }""",
        "feature.network.incoming.http_filter.all_of[0]", "sets header and path", 1, 32)]
    [InlineData("""{ "http_filter": { "all_of": [ { "cookie": "a" } ] } }""",
        "feature.network.incoming.http_filter.all_of[0].cookie", "unknown field", 1, 34)]
    [InlineData("""{ "http_filter": { "header_filter": "a", "ports": [0] } }""",
        "feature.network.incoming.http_filter.ports[0]", "from 1 to 65535; got the number 0", 1, 52)]
    [InlineData("""{ "ports": [80], "ignore_ports": [81] }""", "feature.network.incoming.ports", "cannot be set together with ignore_ports", 1, 12)]
    [InlineData("""{ "port_mapping": [[8080]] }""", "feature.network.incoming.port_mapping[0]", "[local, remote] pair", 1, 20)]
    [InlineData("""{ "port_mapping": [[1, 80], [2, 80]] }""", "feature.network.incoming.port_mapping[1]", "remote port 80 is already mapped", 1, 29)]
    [InlineData("""{ "port_mapping": [[5000, 80], [5000, 81]] }""", "feature.network.incoming.port_mapping[1]", "local port 5000 is already mapped", 1, 32)]
    [InlineData("""{ "http_filter": { "header_filter": "" } }""", "feature.network.incoming.http_filter.header_filter", "is empty, which would match (and steal) every request", 1, 37)]
    [InlineData("""{ "http_filter": { "path_filter": "" } }""", "feature.network.incoming.http_filter.path_filter", "is empty, which would match (and steal) every request", 1, 35)]
    [InlineData("""{ "http_filter": { "any_of": [ { "header": "" } ] } }""", "feature.network.incoming.http_filter.any_of[0].header", "is empty", 1, 44)]
    [InlineData("""{ "on_concurrent_steal": "retry" }""", "feature.network.incoming.on_concurrent_steal", "\"abort\", \"continue\" or \"override\"", 1, 26)]
    [InlineData("""{ "http_filter": { "method_filter": "GET POST" } }""", "feature.network.incoming.http_filter.method_filter", "HTTP method", 1, 37)]
    [InlineData("""{ "http_filter": { "body_filter": { "body": "xml", "query": "$.a", "matches": "b" } } }""",
        "feature.network.incoming.http_filter.body_filter.body", "must be \"json\"", 1, 45)]
    [InlineData("""{ "http_filter": { "body_filter": { "body": "json", "query": "$.a[?@.b > now()]", "matches": "b" } } }""",
        "feature.network.incoming.http_filter.body_filter.query", "invalid JSONPath at offset 11: unknown function \"now\"", 1, 62)]
    [InlineData("""{ "http_filter": { "body_filter": { "body": "json", "query": "$.a" } } }""",
        "feature.network.incoming.http_filter.body_filter", "needs \"matches\"", 1, 35)]
    [InlineData("""{ "tls_delivery": { "protocol": "ssl" } }""", "feature.network.incoming.tls_delivery.protocol", "must be \"tls\" (the default) or \"tcp\" (clear HTTP); got \"ssl\"", 1, 33)]
    [InlineData("""{ "tls_delivery": { "protocol": "tls", "trust_roots": "ca.pem" } }""", "feature.network.incoming.tls_delivery.trust_roots", "must be an array of PEM files or folders", 1, 55)]
    [InlineData("""{ "tls_delivery": { "protocol": "tls", "server_sni": "a" } }""", "feature.network.incoming.tls_delivery.server_sni", "unknown field", 1, 40)]
    [InlineData("""{ "mode": "steal", "mode": "mirror" }""", "feature.network.incoming.mode", "is set more than once", 1, 20)]
    [InlineData("""{ "mode": 1 }""", "feature.network.incoming.mode", "must be a string; got the number 1", 1, 11)]
    [InlineData("""[ "steal" ]""", "feature.network.incoming", "must be \"off\", \"mirror\", \"steal\" or an object; got an array", 1, 1)]
    public void ParseIncoming_BadValue_NamesFieldPositionAndProblem(string incoming, string path, string message, int line, int column)
    {
        var result = IncomingConfigParser.ParseIncoming(incoming);

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
        Assert.Equal(new(line, column), error.Position);
    }

    [Fact]
    public void ParseIncoming_SeveralProblems_ReportsAllAndNoConfig()
    {
        var result = IncomingConfigParser.ParseIncoming("""
            {
              "mode": "stael",
              "http_filter": { "header_filter": "(", "prots": [80] },
              "port_mapping": [[1, 70000]],
            }
            """);

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "feature.network.incoming.mode",
                "feature.network.incoming.http_filter.prots",
                "feature.network.incoming.http_filter.header_filter",
                "feature.network.incoming.port_mapping[0][1]",
            ],
            result.Errors.Select(e => e.Path));
        Assert.Throws<InvalidIncomingConfigException>(result.GetConfigOrThrow);
    }

    [Theory]
    [InlineData("{ \"mode\": \"steal\" ", 1, 19, "not valid JSON")]
    [InlineData("{\n  \"mode\": \"steal\",\n  \"x\" 1\n}", 3, 7, "not valid JSON")]
    [InlineData("", 1, 1, "not valid JSON")]
    public void ParseIncoming_NotJson_ReportsLineAndColumn(string text, int line, int column, string message)
    {
        var error = Assert.Single(IncomingConfigParser.ParseIncoming(text).Errors);

        Assert.Equal(new(line, column), error.Position);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ParseIncoming_MirrordSettingsWithoutEffectHere_WarnsAndKeepsGoing()
    {
        var result = IncomingConfigParser.ParseIncoming("""{ "mode": "steal", "ignore_localhost": true, "listen_ports": [[80, 4480]] }""");

        Assert.True(result.Succeeded);
        Assert.Equal(
            ["feature.network.incoming.ignore_localhost", "feature.network.incoming.listen_ports"],
            result.Warnings.Select(w => w.Path));
    }

    [Fact]
    public void ParseIncoming_FilterWithModeOff_Warns()
    {
        var result = IncomingConfigParser.ParseIncoming("""{ "mode": "off", "http_filter": { "path_filter": "^/a" } }""");

        Assert.Contains(result.Warnings, w => w.Message.Contains("no effect while mode is \"off\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"steal\"")]
    [InlineData("""{ "mode": "mirror", "http_filter": { "header_filter": "^X-Dev: \"a\\b\" <+>'", "ports": 3000 }, "ports": [3000] }""")]
    [InlineData("""{ "mode": "steal", "http_filter": { "all_of": [ { "path": "^/a" }, { "method": "GET" }, { "body": "json", "query": "$..id", "matches": "7" } ] } }""")]
    [InlineData("""{ "mode": "steal", "http_filter": { "body_filter": { "body": "json", "query": "$.a", "matches": "b" } }, "port_mapping": [[1, 2]] }""")]
    public void WriteIncoming_ParsedConfig_ParsesBackToTheSameEffectiveConfig(string incoming)
    {
        var first = IncomingConfigWriter.WriteIncoming(IncomingConfigParser.ParseIncoming(incoming).GetConfigOrThrow());
        var second = IncomingConfigWriter.WriteIncoming(IncomingConfigParser.ParseIncoming(first).GetConfigOrThrow());

        Assert.Equal(first, second);
    }

    private static string ReadSeed(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testassets", "seed", file));
}
