using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;

namespace Mirrord.Benchmarks;

/// <summary>
/// Per-request cost of a 10-rule filter against a request of 8 headers with ~100-character values.
/// The baseline is the straightforward implementation: render every header to a string and run
/// every rule's regex on it.
/// </summary>
[MemoryDiagnoser]
public class FilterEvaluationBenchmarks
{
    private HttpFilter _anchored = null!;
    private HttpFilter _unanchored = null!;
    private HttpFilter _probe = null!;
    private Regex[] _naiveRegexes = null!;
    private BenchmarkRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var value = new string('v', 90);
        _request = new BenchmarkRequest("GET", "/api/v1/orders/42", "?expand=items", [
            new("Host", $"orders.shop.svc.cluster.local.{value[..60]}"),
            new("User-Agent", $"Mozilla/5.0 (X11; Linux x86_64) {value[..70]}"),
            new("Accept", $"application/json, {value}"),
            new("Accept-Encoding", $"gzip, deflate, br, {value}"),
            new("Authorization", $"Bearer {value}"),
            new("X-Request-Id", $"3f1c2a9e-{value}"),
            new("Traceparent", $"00-{value}-01"),
            new("Cookie", $"session={value}"),
        ]);

        // Ten developers' filters, none of which matches this request: the common pass-through case.
        var anchored = Enumerable.Range(0, 10).Select(i => $"{{ \"header\": \"^X-Dev-{i}: developer-{i}$\" }}");
        var unanchored = Enumerable.Range(0, 10).Select(i => $"{{ \"header\": \"X-Dev-{i}: developer-{i}\" }}");
        _anchored = Compile($"{{ \"any_of\": [ {string.Join(", ", anchored)} ] }}");
        _unanchored = Compile($"{{ \"any_of\": [ {string.Join(", ", unanchored)} ] }}");
        _probe = Compile("""{ "header_filter": "^User-Agent: (?!kube-probe)" }""");
        _naiveRegexes = [.. Enumerable.Range(0, 10).Select(i => new Regex(
            $"^X-Dev-{i}: developer-{i}$", RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)))];
    }

    [Benchmark(Baseline = true, Description = "naive: string per header, every regex")]
    public bool Naive()
    {
        foreach (var (name, value) in _request.Headers)
        {
            var line = $"{name}: {value}";
            foreach (var regex in _naiveRegexes)
            {
                if (regex.IsMatch(line))
                {
                    return true;
                }
            }
        }

        return false;
    }

    [Benchmark(Description = "10 anchored header rules (^Name: ...)")]
    public bool TenAnchoredRules() => _anchored.Evaluate(_request).IsMatch;

    [Benchmark(Description = "10 unanchored header rules")]
    public bool TenUnanchoredRules() => _unanchored.Evaluate(_request).IsMatch;

    [Benchmark(Description = "seed probe look-ahead rule")]
    public bool ProbeLookahead() => _probe.Evaluate(_request).IsMatch;

    private static HttpFilter Compile(string httpFilter)
        => HttpFilter.Compile(
            IncomingConfigParser.ParseIncoming($$"""{ "mode": "steal", "http_filter": {{httpFilter}} }""").GetConfigOrThrow().HttpFilter!.Rule);
}
