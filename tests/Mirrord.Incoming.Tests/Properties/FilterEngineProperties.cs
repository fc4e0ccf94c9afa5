using System.Text.RegularExpressions;
using CsCheck;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Incoming.Tests.Properties;

/// <summary>
/// The compiled filter engine (anchored header names, the combined screening regex, early exit)
/// against the plain reading of the rules, over generated filters and requests: they must agree.
/// </summary>
public sealed class FilterEngineProperties
{
    private static readonly string[] s_headerNames = ["X-Dev", "x-dev", "User-Agent", "Host", "Accept", "X-Other"];
    private static readonly string[] s_headerValues = ["alice", "bob", "kube-probe/1.31", "carol.local", "v2", "", "Alice", "alice-and-bob"];
    private static readonly string[] s_paths = ["/", "/api/v1", "/API/orders", "/x?debug=1", "/v9?user=bob", "/health"];

    private static readonly Gen<TestRequest> s_request =
        Gen.Select(
            Gen.OneOfConst(ConfigGenerators.Methods),
            Gen.OneOfConst(s_paths),
            Gen.Select(Gen.OneOfConst(s_headerNames), Gen.OneOfConst(s_headerValues), (name, value) => $"{name}: {value}").Array[0, 6],
            (method, path, headers) => new TestRequest(method, path).With(headers));

    [Fact]
    public void CompiledFilter_AgreesWithThePlainReadingOfItsRules()
    {
        Gen.Select(ConfigGenerators.WellFormed, s_request.Array[1, 8]).Sample((text, requests) =>
        {
            var rule = IncomingConfigParser.ParseIncoming(text).GetConfigOrThrow().HttpFilter!.Rule;
            // A generous match timeout: on a starved CI machine the default 50 ms can pass mid-match, which
            // counts as no match by design and is not what this property is about.
            var filter = HttpFilter.Compile(rule, new FilterOptions { MatchTimeout = TimeSpan.FromSeconds(10) });

            foreach (var request in requests)
            {
                Assert.True(Reference(rule, request) == filter.Evaluate(request).IsMatch, $"{text} on {request}");
            }
        }, iter: 1500);
    }

    private static bool Reference(FilterRuleConfig rule, TestRequest request) => rule switch
    {
        HeaderRuleConfig header => request.HeaderLines.Any(line => Matches(header.Pattern, line)),
        PathRuleConfig path => Matches(path.Pattern, request.Path) || (request.QueryString.Length > 0 && Matches(path.Pattern, request.Path + request.QueryString)),
        MethodRuleConfig method => string.Equals(method.Method, request.Method, StringComparison.OrdinalIgnoreCase),
        CompositeRuleConfig { RequiresAll: true } all => all.Rules.All(member => Reference(member, request)),
        CompositeRuleConfig any => any.Rules.Any(member => Reference(member, request)),
        _ => throw new ArgumentException($"no reference for {rule.Describe()}", nameof(rule)),
    };

    private static bool Matches(string pattern, string text) => Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
