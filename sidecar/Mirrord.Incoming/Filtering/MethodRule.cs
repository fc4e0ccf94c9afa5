using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary><c>method_filter</c> / <c>{"method": ...}</c>: the method, compared ignoring case.</summary>
public sealed class MethodRule : FilterRule
{
    private readonly string _method;

    internal MethodRule(MethodRuleConfig config)
        : base(config)
    {
        _method = config.Method;
    }

    internal override bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider)
    {
        decider = this;
        return string.Equals(evaluation.Request.Method, _method, StringComparison.OrdinalIgnoreCase);
    }
}
