using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// <c>all_of</c> / <c>any_of</c>. Members are evaluated in the order written and stop early; the
/// member that settled the outcome is reported as the decider.
/// </summary>
public sealed class CompositeRule : FilterRule
{
    private readonly FilterRule[] _members;
    private readonly bool _requiresAll;

    internal CompositeRule(CompositeRuleConfig config, FilterRule[] members)
        : base(config)
    {
        _members = members;
        _requiresAll = config.RequiresAll;
    }

    public IReadOnlyList<FilterRule> Members => _members;

    internal override bool NeedsBody => _members.Any(member => member.NeedsBody);

    internal override bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider)
    {
        foreach (var member in _members)
        {
            var matched = member.Evaluate(ref evaluation, out var memberDecider);
            if (matched != _requiresAll)
            {
                // all_of: the first miss decides; any_of: the first hit decides.
                decider = memberDecider;
                return matched;
            }
        }

        decider = this;
        return _requiresAll;
    }

    internal override void Collect(List<HeaderRule> headerRules)
    {
        foreach (var member in _members)
        {
            member.Collect(headerRules);
        }
    }
}
