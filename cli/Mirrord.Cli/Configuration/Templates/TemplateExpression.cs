using System.Globalization;
using System.Text;

namespace Mirrord.Cli.Configuration.Templates;

/// <summary>
/// One <c>{{ ... }}</c> of a config template: a literal, a variable or <c>get_env(...)</c>, then any filters
/// (<c>| default(value='shared')</c>). Names and arguments follow Tera's built-ins (tera/src/builtins), which mirrord
/// leaves as they are.
/// </summary>
internal sealed class TemplateExpression
{
    private static readonly string[] s_filters = ["default", "lower", "upper", "trim", "replace", "slugify"];

    private readonly string _source;
    private readonly int _line;
    private readonly TemplateVariables _variables;
    private readonly List<string> _tokens;
    private int _next;

    private TemplateExpression(string source, int line, TemplateVariables variables)
    {
        _source = source.Trim();
        _line = line;
        _variables = variables;
        _tokens = Tokenize(_source);
    }

    public static string Evaluate(string source, int line, TemplateVariables variables)
    {
        var expression = new TemplateExpression(source, line, variables);
        if (expression._tokens.Count == 0)
        {
            throw expression.Fail("is empty");
        }

        var value = expression.Primary();
        while (expression.Accept("|"))
        {
            value = expression.Filter(value);
        }

        if (expression._next < expression._tokens.Count)
        {
            throw expression.Fail($"unexpected \"{expression._tokens[expression._next]}\"");
        }

        return value.Text ?? throw expression.Fail(value.Missing!);
    }

    private Value Primary()
    {
        var token = Take("a value");
        if (IsString(token))
        {
            return Value.Of(token[1..^1]);
        }

        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || token is "true" or "false")
        {
            return Value.Of(token);
        }

        if (!IsName(token))
        {
            throw Fail($"unexpected \"{token}\"");
        }

        if (Accept("("))
        {
            var arguments = Arguments(token);
            return token switch
            {
                "get_env" => GetEnv(arguments),
                _ => throw Fail($"unknown function \"{token}\"; mirrord's templates offer get_env(name=\"...\", default=\"...\")"),
            };
        }

        return token switch
        {
            "key" => _variables.Key is { } key ? Value.Of(key) : Value.Undefined("the key cannot be made from itself; it may use git_branch and get_env"),
            "git_branch" => _variables.GitBranch is { } branch ? Value.Of(branch)
                : Value.Undefined("the git branch is unknown here (not a git repository, git not installed, or HEAD detached); " +
                    "set MIRRORD_BRANCH_NAME, or give a fall-back: {{ git_branch | default(value='shared') }}"),
            _ => throw Fail($"unknown variable \"{token}\"; mirrord's templates know key and git_branch, and get_env(name=\"...\") reads the environment"),
        };
    }

    private Value GetEnv(Dictionary<string, Value> arguments)
    {
        Expect(arguments, "get_env", ["name", "default"]);
        var name = arguments.GetValueOrDefault("name")?.Text ?? throw Fail("get_env needs name=\"VARIABLE\"");
        if (_variables.Environment(name) is { } value)
        {
            return Value.Of(value);
        }

        return arguments.TryGetValue("default", out var fallback)
            ? fallback
            : Value.Undefined($"the environment variable {name} is not set; give a fall-back: get_env(name=\"{name}\", default=\"...\")");
    }

    private Value Filter(Value value)
    {
        var name = Take("a filter name");
        var arguments = Accept("(") ? Arguments(name) : [];
        switch (name)
        {
            case "default":
                Expect(arguments, name, ["value"]);
                return value.Text is null ? arguments.GetValueOrDefault("value") ?? throw Fail("default needs value=\"...\"") : value;
            case "replace":
                Expect(arguments, name, ["from", "to"]);
                var from = arguments.GetValueOrDefault("from")?.Text ?? throw Fail("replace needs from=\"...\"");
                var to = arguments.GetValueOrDefault("to")?.Text ?? throw Fail("replace needs to=\"...\"");
                return Map(value, text => text.Replace(from, to, StringComparison.Ordinal));
            case "lower":
                Expect(arguments, name, []);
                return Map(value, text => text.ToLowerInvariant());
            case "upper":
                Expect(arguments, name, []);
                return Map(value, text => text.ToUpperInvariant());
            case "trim":
                Expect(arguments, name, []);
                return Map(value, text => text.Trim());
            case "slugify":
                Expect(arguments, name, []);
                return Map(value, Slugify);
            default:
                throw Fail($"unknown filter \"{name}\"; mirrord's templates here offer {string.Join(", ", s_filters)}");
        }
    }

    private static Value Map(Value value, Func<string, string> map) => value.Text is null ? value : Value.Of(map(value.Text));

    /// <summary>Tera's slugify: lower case, every run of other characters a single hyphen, none at either end.</summary>
    private static string Slugify(string text)
    {
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().TrimEnd('-');
    }

    private Dictionary<string, Value> Arguments(string owner)
    {
        var arguments = new Dictionary<string, Value>(StringComparer.Ordinal);
        while (!Accept(")"))
        {
            if (arguments.Count > 0 && !Accept(","))
            {
                throw Fail($"{owner}(...) separates its arguments with commas");
            }

            var name = Take("an argument name");
            if (!IsName(name) || !Accept("="))
            {
                throw Fail($"{owner}(...) takes named arguments such as {owner}(name=\"value\")");
            }

            arguments[name] = Primary();
        }

        return arguments;
    }

    private void Expect(Dictionary<string, Value> arguments, string owner, string[] known)
    {
        foreach (var name in arguments.Keys.Where(name => !known.Contains(name)))
        {
            throw Fail(known.Length == 0 ? $"{owner} takes no arguments; got {name}" : $"{owner} has no argument {name}; it takes {string.Join(", ", known)}");
        }
    }

    private bool Accept(string token)
    {
        if (_next < _tokens.Count && _tokens[_next] == token)
        {
            _next++;
            return true;
        }

        return false;
    }

    private string Take(string what) => _next < _tokens.Count ? _tokens[_next++] : throw Fail($"ends where {what} was expected");

    private ConfigTemplateException Fail(string problem) => new(_line, $"{{{{ {_source} }}}}: {problem}");

    private static bool IsString(string token) => token.Length >= 2 && token[0] is '"' or '\'' or '`' && token[^1] == token[0];

    private static bool IsName(string token) => token.Length > 0 && (char.IsAsciiLetter(token[0]) || token[0] == '_') && token.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private List<string> Tokenize(string source)
    {
        var tokens = new List<string>();
        for (var i = 0; i < source.Length;)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'' or '`')
            {
                var end = source.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new ConfigTemplateException(_line, $"{{{{ {source} }}}}: a string starting with {c} is never closed");
                }

                tokens.Add(source[i..(end + 1)]);
                i = end + 1;
            }
            else if (c is '(' or ')' or ',' or '|' or '=')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var start = i;
                while (i < source.Length && !char.IsWhiteSpace(source[i]) && source[i] is not ('(' or ')' or ',' or '|' or '=' or '"' or '\'' or '`'))
                {
                    i++;
                }

                tokens.Add(source[start..i]);
            }
        }

        return tokens;
    }

    /// <summary>A value, or why there is none (Tera's undefined, which only <c>default</c> may replace).</summary>
    private sealed record Value(string? Text, string? Missing)
    {
        public static Value Of(string text) => new(text, null);

        public static Value Undefined(string why) => new(null, why);
    }
}
