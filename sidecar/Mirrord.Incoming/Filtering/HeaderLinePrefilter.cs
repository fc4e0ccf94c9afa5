using System.Text.RegularExpressions;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// One regex that ORs the unanchored header patterns of a filter. A header line it does not match
/// cannot match any of them, so the common case (no rule matches) costs one scan per line instead
/// of one per rule. Only built for two or more patterns that can be combined without changing
/// their meaning: no backreferences or group conditionals, whose numbering a combination would shift.
/// </summary>
internal sealed class HeaderLinePrefilter
{
    private readonly Regex _combined;

    private HeaderLinePrefilter(Regex combined)
    {
        _combined = combined;
    }

    public static bool CanCombine(string pattern)
    {
        for (var i = 0; i < pattern.Length - 1; i++)
        {
            if (pattern[i] == '\\' && (char.IsAsciiDigit(pattern[i + 1]) || pattern[i + 1] == 'k'))
            {
                return false;
            }
        }

        return !pattern.Contains("(?(", StringComparison.Ordinal) && !pattern.Contains("(?P=", StringComparison.Ordinal);
    }

    public static HeaderLinePrefilter? TryCreate(IReadOnlyList<HeaderRule> rules, FilterOptions options)
    {
        if (rules.Count < 2)
        {
            return null;
        }

        var combined = string.Join("|", rules.Select(rule => $"(?:{((Configuration.HeaderRuleConfig)rule.Config).Pattern})"));
        return new HeaderLinePrefilter(FilterPattern.Create(combined, ignoreCase: true, options));
    }

    /// <summary>False only when no combined pattern can match; a timeout answers "maybe".</summary>
    public bool MightMatch(ReadOnlySpan<char> line)
    {
        try
        {
            return _combined.IsMatch(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }
}
