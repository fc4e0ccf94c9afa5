using System.Text;

namespace Mirrord.Cli.Configuration.Templates;

/// <summary>
/// Renders a config file the way mirrord does before parsing it (Tera, mirrord-config's
/// <c>LayerFileConfig::from_path</c>), for the part of Tera that mirrord documents: <c>{{ expression }}</c> with the
/// variables <c>key</c> and <c>git_branch</c>, the function <c>get_env</c>, a few string filters and <c>default</c>;
/// <c>{# comments #}</c> and Tera's <c>{{-</c> / <c>-}}</c> whitespace control. Statements (<c>{% %}</c>) and any other
/// name are errors naming it and its line: a template is never left in the file as literal text, where it would
/// silently make a filter that matches nothing.
/// </summary>
internal static class ConfigTemplate
{
    public static string Render(string text, TemplateVariables variables)
    {
        var output = new StringBuilder(text.Length);
        var index = 0;
        var line = 1;
        while (index < text.Length)
        {
            var open = IndexOfTag(text, index);
            if (open < 0)
            {
                output.Append(text, index, text.Length - index);
                break;
            }

            var trimBefore = open + 2 < text.Length && text[open + 2] == '-';
            var literal = text.AsSpan(index, open - index);
            output.Append(trimBefore ? literal.TrimEnd() : literal);
            line += literal.Count('\n');

            var kind = text[open + 1];
            var closer = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var close = text.IndexOf(closer, open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ConfigTemplateException(line, $"\"{text[open..(open + 2)]}\" is never closed with \"{closer}\"");
            }

            var inner = text[(open + 2)..close];
            var trimAfter = inner.EndsWith('-');
            inner = inner[(trimBefore ? 1 : 0)..(trimAfter ? inner.Length - 1 : inner.Length)];
            switch (kind)
            {
                case '{':
                    output.Append(TemplateExpression.Evaluate(inner, line, variables));
                    break;
                case '%':
                    throw new ConfigTemplateException(line,
                        $"{{% {inner.Trim()} %}}: Tera statements are not supported in a config here; use {{{{ ... }}}} with key, git_branch or get_env(...)");
            }

            line += text.AsSpan(open, close + 2 - open).Count('\n');
            index = close + 2;
            if (trimAfter)
            {
                while (index < text.Length && char.IsWhiteSpace(text[index]))
                {
                    line += text[index] == '\n' ? 1 : 0;
                    index++;
                }
            }
        }

        return output.ToString();
    }

    /// <summary>Where the next <c>{{</c>, <c>{%</c> or <c>{#</c> starts, or -1.</summary>
    private static int IndexOfTag(string text, int from)
    {
        for (var i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
        {
            if (text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }
}
