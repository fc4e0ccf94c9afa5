using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>A compiled rule of an <c>http_filter</c>; built once per session, evaluated per request.</summary>
public abstract class FilterRule
{
    private protected FilterRule(FilterRuleConfig config)
    {
        Config = config;
    }

    /// <summary>The rule as the user wrote it, with its config path.</summary>
    public FilterRuleConfig Config { get; }

    /// <summary>
    /// Evaluates the rule; <paramref name="decider"/> is the rule that settled the outcome
    /// (the rule itself, or the member of a composite that decided it).
    /// </summary>
    internal abstract bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider);

    internal virtual void Collect(List<HeaderRule> headerRules)
    {
    }

    internal virtual bool NeedsBody => false;
}
