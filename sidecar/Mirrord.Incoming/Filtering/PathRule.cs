using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// <c>path_filter</c> / <c>{"path": ...}</c>: matches the path without its query, then the path
/// with its query, ignoring case; either is enough (mirrord's rule).
/// </summary>
public sealed class PathRule : RegexRule
{
    private const int StackLimit = 512;

    internal PathRule(PathRuleConfig config, FilterOptions options, ILogger logger)
        : base(config, FilterPattern.Create(config.Pattern, ignoreCase: true, options), logger)
    {
    }

    internal override bool Evaluate(ref FilterEvaluation evaluation, out FilterRule decider)
    {
        decider = this;
        var request = evaluation.Request;
        if (IsMatch(request.Path, evaluation.Deadline))
        {
            return true;
        }

        var query = request.QueryString;
        if (query.Length == 0)
        {
            return false;
        }

        var length = request.Path.Length + query.Length;
        char[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc char[StackLimit] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(length));
        try
        {
            request.Path.CopyTo(buffer);
            query.CopyTo(buffer[request.Path.Length..]);
            return IsMatch(buffer[..length], evaluation.Deadline);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
