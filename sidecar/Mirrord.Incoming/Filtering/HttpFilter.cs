using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// A compiled <c>http_filter</c>: regexes built once, then evaluated per request without
/// allocating (beyond a JSON body parse when a body rule is present).
/// </summary>
public sealed class HttpFilter
{
    private const int StackSlots = 64;

    private readonly HeaderRule[] _headerRules;
    private readonly HeaderLinePrefilter? _prefilter;

    private HttpFilter(FilterRule root, FilterOptions options)
    {
        Root = root;
        var headerRules = new List<HeaderRule>();
        root.Collect(headerRules);
        _headerRules = [.. headerRules];
        for (var i = 0; i < _headerRules.Length; i++)
        {
            _headerRules[i].Slot = i;
        }

        var screened = _headerRules
            .Where(rule => rule.AnchoredName is null && HeaderLinePrefilter.CanCombine(((HeaderRuleConfig)rule.Config).Pattern))
            .ToList();
        _prefilter = HeaderLinePrefilter.TryCreate(screened, options);
        if (_prefilter is not null)
        {
            screened.ForEach(rule => rule.Prefiltered = true);
        }
    }

    public FilterRule Root { get; }

    /// <summary>True when a rule reads the body: the caller must buffer it before evaluating.</summary>
    public bool NeedsBody => Root.NeedsBody;

    /// <exception cref="ArgumentException">A pattern or query does not compile (a validated config never does this).</exception>
    public static HttpFilter Compile(FilterRuleConfig rule, FilterOptions? options = null, ILogger? logger = null)
    {
        options ??= FilterOptions.Default;
        return new(Build(rule, options, logger ?? NullLogger.Instance), options);
    }

    /// <summary>Decides one request; past <paramref name="deadline"/> no further pattern is tried (each counts as no match).</summary>
    public FilterVerdict Evaluate(IFilterableRequest request, FilterDeadline deadline = default)
    {
        var results = _headerRules.Length <= StackSlots ? stackalloc bool[StackSlots] : new bool[_headerRules.Length];
        results = results[.._headerRules.Length];
        results.Clear();
        var evaluation = new FilterEvaluation(request, _headerRules, _prefilter, results, deadline);
        try
        {
            var matched = Root.Evaluate(ref evaluation, out var decider);
            return new FilterVerdict(matched, decider);
        }
        finally
        {
            evaluation.Dispose();
        }
    }

    private static FilterRule Build(FilterRuleConfig config, FilterOptions options, ILogger logger) => config switch
    {
        HeaderRuleConfig header => new HeaderRule(header, options, logger),
        PathRuleConfig path => new PathRule(path, options, logger),
        MethodRuleConfig method => new MethodRule(method),
        JsonBodyRuleConfig body => new JsonBodyRule(body, options, logger),
        CompositeRuleConfig composite => new CompositeRule(
            composite, [.. composite.Rules.Select(member => Build(member, options, logger))]),
        _ => throw new ArgumentException($"unknown rule type {config.GetType().Name}", nameof(config)),
    };
}
