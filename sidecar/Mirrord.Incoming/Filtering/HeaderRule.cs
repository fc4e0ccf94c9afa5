using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// <c>header_filter</c> / <c>{"header": ...}</c>: matches when a header line <c>Name: value</c>
/// matches, ignoring case (HTTP/2 lowercases names; mirrord compares case-insensitively).
/// </summary>
public sealed class HeaderRule : RegexRule
{
    internal HeaderRule(HeaderRuleConfig config, FilterOptions options, ILogger logger)
        : base(config, FilterPattern.Create(config.Pattern, ignoreCase: true, options), logger)
    {
        AnchoredName = FilterPattern.AnchoredHeaderName(config.Pattern);
    }

    /// <summary>Set when the pattern can only match one header name (<c>^Name: ...</c>).</summary>
    internal string? AnchoredName { get; }

    /// <summary>True when the filter's <see cref="HeaderLinePrefilter"/> screens lines for this rule.</summary>
    internal bool Prefiltered { get; set; }

    /// <summary>Index of this rule's result in a <see cref="FilterEvaluation"/>.</summary>
    internal int Slot { get; set; }

    internal bool MatchesLine(string name, ReadOnlySpan<char> line, FilterDeadline deadline)
        => (AnchoredName is null || string.Equals(name, AnchoredName, StringComparison.OrdinalIgnoreCase)) && IsMatch(line, deadline);

    internal override bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider)
    {
        decider = this;
        return evaluation.HeaderMatched(this);
    }

    internal override void Collect(List<HeaderRule> headerRules) => headerRules.Add(this);
}
