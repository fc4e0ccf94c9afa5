using System.Text;

namespace Mirrord.Cli.Variables;

/// <summary>
/// The <c>.env</c> format as dotenv libraries read it (mirrord reads <c>env_file</c> with dotenvy): <c>NAME=value</c>
/// lines, an optional <c>export</c>, <c>#</c> comments, values in double quotes (with <c>\n</c>, <c>\"</c>, <c>\\</c>
/// escapes) or single quotes (literal), and unquoted values trimmed.
/// </summary>
internal static class DotEnv
{
    /// <exception cref="FormatException">A line is not <c>NAME=value</c>; the message names the line.</exception>
    public static List<KeyValuePair<string, string>> Parse(string text)
    {
        var variables = new List<KeyValuePair<string, string>>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"line {i + 1}: expected NAME=value, got \"{line}\"");
            }

            var name = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = Unescape(value[1..^1]);
            }
            else if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
            {
                value = value[1..^1];
            }
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var comment and >= 0)
            {
                value = value[..comment].TrimEnd();
            }

            variables.Add(new(name, value));
        }

        return variables;
    }

    /// <summary>One <c>NAME=value</c> line per variable, quoting values that need it so that <see cref="Parse"/> reads them back.</summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in variables)
        {
            var plain = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:,@%+=".Contains(c, StringComparison.Ordinal));
            text.Append(name).Append('=').Append(plain ? value : Quote(value)).Append('\n');
        }

        return text.ToString();
    }

    private static string Quote(string value)
        => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal) + "\"";

    private static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var other => other });
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }
}
