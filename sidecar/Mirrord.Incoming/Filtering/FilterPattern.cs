using System.Text.RegularExpressions;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// The one place that turns a user's pattern into a <see cref="Regex"/>: mirrord's Rust dialect
/// translated (<see cref="RustRegexDialect"/>), .NET's backtracking engine (look-arounds must work,
/// so never NonBacktracking), invariant culture, always a timeout.
/// </summary>
public static class FilterPattern
{
    /// <summary>Longer patterns are refused: nobody writes them by hand, and they cost memory per session.</summary>
    public const int MaxLength = 4096;

    internal static Regex Create(string pattern, bool ignoreCase, FilterOptions options)
    {
        var regexOptions = RegexOptions.CultureInvariant;
        if (ignoreCase)
        {
            regexOptions |= RegexOptions.IgnoreCase;
        }

        if (options.CompileToIL)
        {
            regexOptions |= RegexOptions.Compiled;
        }

        var translated = RustRegexDialect.Translate(pattern);
        return new Regex(translated.Pattern ?? throw new ArgumentException(translated.Error, nameof(pattern)), regexOptions, options.MatchTimeout);
    }

    /// <summary>Checks that a pattern compiles; the error names the offset and the reason.</summary>
    public static bool TryValidate(string pattern, out string? error)
    {
        if (pattern.Length > MaxLength)
        {
            error = $"the pattern is {pattern.Length} characters long; the limit is {MaxLength}";
            return false;
        }

        var translated = RustRegexDialect.Translate(pattern);
        if (translated.Pattern is null)
        {
            error = $"{translated.Error} (see the regex dialect table in docs/CONFIG.md)";
            return false;
        }

        try
        {
            _ = new Regex(translated.Pattern, RegexOptions.CultureInvariant, FilterOptions.Default.MatchTimeout);
            error = null;
            return true;
        }
        catch (RegexParseException ex)
        {
            // The offset is the .NET engine's, in the translated pattern: give the user's own.
            var offset = ex.Offset < 0 ? ex.Offset : ex.Offset < translated.SourceOffsets.Count ? translated.SourceOffsets[ex.Offset] : pattern.Length;
            error = $"invalid regex at offset {offset}: {ReasonOf(ex)}";
            return false;
        }
        catch (ArgumentException ex)
        {
            error = $"invalid regex: {ex.Message}";
            return false;
        }
    }

    /// <summary>
    /// The header name a pattern is pinned to, when it starts with <c>^Name:</c> and has no
    /// top-level alternation. Such a pattern can only match lines of that header, which lets the
    /// engine skip the regex for every other header.
    /// </summary>
    internal static string? AnchoredHeaderName(string pattern)
    {
        if (pattern.Length < 3 || pattern[0] != '^')
        {
            return null;
        }

        var end = 1;
        while (end < pattern.Length && IsTokenChar(pattern[end]))
        {
            end++;
        }

        if (end == 1 || end >= pattern.Length || pattern[end] != ':' || HasTopLevelAlternation(pattern))
        {
            return null;
        }

        return pattern[1..end];
    }

    // RFC 9110 token characters, minus the regex metacharacters among them ('.', '*', '+', '^', '|', '$').
    private static bool IsTokenChar(char c)
        => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '!' or '#' or '%' or '&' or '\'' or '`' or '~';

    private static bool HasTopLevelAlternation(string pattern)
    {
        var depth = 0;
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i++;
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case '|' when depth == 0:
                    return true;
            }
        }

        return false;
    }

    // RegexParseException's message repeats the pattern; keep only the reason after "at offset N.".
    private static string ReasonOf(RegexParseException ex)
    {
        var marker = $"at offset {ex.Offset}.";
        var index = ex.Message.IndexOf(marker, StringComparison.Ordinal);
        return index >= 0 ? ex.Message[(index + marker.Length)..].Trim() : ex.Error.ToString();
    }
}
