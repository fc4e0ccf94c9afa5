using System.Globalization;
using System.Text;

namespace Mirrord.Incoming.JsonPath;

/// <summary>Reads the supported JSONPath subset; every error carries the offset of the offending character.</summary>
internal ref struct JsonPathParser
{
    private readonly string _text;
    private int _pos;

    private JsonPathParser(string text)
    {
        _text = text;
        _pos = 0;
    }

    public static IReadOnlyList<JsonPathSegment> Parse(string text)
    {
        var parser = new JsonPathParser(text);
        return parser.ParseQuery();
    }

    private List<JsonPathSegment> ParseQuery()
    {
        if (!TryConsume('$'))
        {
            throw Error("a JSONPath query starts with '$'");
        }

        var segments = ParseSegments();
        if (_pos < _text.Length)
        {
            throw Error($"expected '.' or '[' but found '{_text[_pos]}'");
        }

        return segments;
    }

    /// <summary>Segments for as long as the next character starts one (a query inside a filter ends where they do).</summary>
    private List<JsonPathSegment> ParseSegments()
    {
        var segments = new List<JsonPathSegment>();
        while (Peek() is '.' or '[')
        {
            if (TryConsume('.'))
            {
                var descendants = TryConsume('.');
                if (descendants && Peek() == '[')
                {
                    _pos++;
                    segments.Add(new JsonPathSegment(ParseBracketed(), Descendants: true));
                }
                else if (TryConsume('*'))
                {
                    segments.Add(new JsonPathSegment([new JsonPathSelector.Wildcard()], descendants));
                }
                else
                {
                    segments.Add(new JsonPathSegment([new JsonPathSelector.Name(ParseShorthandName())], descendants));
                }
            }
            else if (TryConsume('['))
            {
                segments.Add(new JsonPathSegment(ParseBracketed(), Descendants: false));
            }
        }

        return segments;
    }

    private List<JsonPathSelector> ParseBracketed()
    {
        var selectors = new List<JsonPathSelector>();
        while (true)
        {
            SkipSpaces();
            selectors.Add(ParseSelector());
            SkipSpaces();
            if (TryConsume(']'))
            {
                return selectors;
            }

            if (!TryConsume(','))
            {
                throw Error("expected ',' or ']'");
            }
        }
    }

    private JsonPathSelector ParseSelector()
    {
        var c = Peek();
        switch (c)
        {
            case '\'' or '"':
                return new JsonPathSelector.Name(ParseStringLiteral());
            case '*':
                _pos++;
                return new JsonPathSelector.Wildcard();
            case '?':
                _pos++;
                var filter = ParseOr();
                SkipSpaces();
                return new JsonPathSelector.Filter(filter);
            default:
                var start = ParseOptionalInteger();
                SkipSpaces();
                if (!TryConsume(':'))
                {
                    return start is { } index ? new JsonPathSelector.Index(index) : throw Error("expected a name, '*', an index or a slice");
                }

                SkipSpaces();
                var end = ParseOptionalInteger();
                SkipSpaces();
                var step = 1;
                if (TryConsume(':'))
                {
                    SkipSpaces();
                    step = ParseOptionalInteger() ?? 1;
                }

                return new JsonPathSelector.Slice(start, end, step);
        }
    }

    private JsonPathFilter ParseOr()
    {
        var operands = new List<JsonPathFilter> { ParseAnd() };
        while (TryConsume("||"))
        {
            operands.Add(ParseAnd());
        }

        return operands.Count == 1 ? operands[0] : new JsonPathFilter.Or(operands);
    }

    private JsonPathFilter ParseAnd()
    {
        var operands = new List<JsonPathFilter> { ParseBasic() };
        while (TryConsume("&&"))
        {
            operands.Add(ParseBasic());
        }

        return operands.Count == 1 ? operands[0] : new JsonPathFilter.And(operands);
    }

    /// <summary>A parenthesised expression, a negation, a comparison or a test (RFC 9535 basic-expr).</summary>
    private JsonPathFilter ParseBasic()
    {
        SkipSpaces();
        if (TryConsume('!'))
        {
            SkipSpaces();
            return new JsonPathFilter.Not(Peek() == '(' ? ParseParenthesised() : AsTest(ParseOperand(out var at), at));
        }

        if (Peek() == '(')
        {
            return ParseParenthesised();
        }

        var left = ParseOperand(out var leftAt);
        foreach (var op in (string[])["==", "!=", "<=", ">=", "<", ">"])
        {
            if (TryConsume(op))
            {
                var right = ParseOperand(out var rightAt);
                return new JsonPathFilter.Comparison(AsComparable(left, leftAt), op, AsComparable(right, rightAt));
            }
        }

        return AsTest(left, leftAt);
    }

    private JsonPathFilter ParseParenthesised()
    {
        _pos++;
        var inner = ParseOr();
        if (!TryConsume(")"))
        {
            throw Error("expected ')'");
        }

        return inner;
    }

    /// <summary>A literal, a query (<c>@...</c>, <c>$...</c>) or a function call; <paramref name="at"/> is where it starts.</summary>
    private JsonPathFilter.Operand ParseOperand(out int at)
    {
        SkipSpaces();
        at = _pos;
        var c = Peek();
        switch (c)
        {
            case '@' or '$':
                _pos++;
                return new JsonPathFilter.FilterQuery(c == '@', ParseSegments());
            case '\'' or '"':
                return new JsonPathFilter.Literal(JsonPathFilter.StringOf(ParseStringLiteral()));
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = _pos;
            _pos++;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' || (_text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E')))
            {
                _pos++;
            }

            try
            {
                return new JsonPathFilter.Literal(JsonPathFilter.Parse(_text[start.._pos]));
            }
            catch (System.Text.Json.JsonException)
            {
                throw new JsonPathSyntaxException($"\"{_text[start.._pos]}\" is not a number", start);
            }
        }

        var nameStart = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        var name = _text[nameStart.._pos];
        if (name is "true" or "false" or "null")
        {
            return new JsonPathFilter.Literal(JsonPathFilter.Parse(name));
        }

        if (name.Length == 0)
        {
            throw Error("expected a literal, a query (@ or $) or a function call");
        }

        SkipSpaces();
        if (!TryConsume('(') || JsonPathFilter.FunctionCall.Arity(name) is not (> 0 and var arity))
        {
            throw new JsonPathSyntaxException($"unknown function \"{name}\"; the functions are length, count, match, search, value and typeof", nameStart);
        }

        var arguments = new List<JsonPathFilter.Operand>();
        while (!TryConsume(")"))
        {
            if (arguments.Count > 0 && !TryConsume(","))
            {
                throw Error($"expected ',' or ')' in {name}(...)");
            }

            var argument = ParseOperand(out var argumentAt);
            arguments.Add(JsonPathFilter.FunctionCall.TakesNodes(name)
                ? argument as JsonPathFilter.FilterQuery ?? throw new JsonPathSyntaxException($"{name}(...) takes a query (@... or $...)", argumentAt)
                : AsComparable(argument, argumentAt));
        }

        return arguments.Count == arity
            ? new JsonPathFilter.FunctionCall(name, arguments)
            : throw new JsonPathSyntaxException($"{name}(...) takes {arity} argument(s); got {arguments.Count}", nameStart);
    }

    /// <summary>A value to compare: a literal, a singular query, or a function of value type (RFC 9535 comparable).</summary>
    private static JsonPathFilter.Operand AsComparable(JsonPathFilter.Operand operand, int at) => operand switch
    {
        JsonPathFilter.FilterQuery { IsSingular: false } => throw new JsonPathSyntaxException("a query compared or passed as a value must be singular (names and indices only)", at),
        JsonPathFilter.FunctionCall call when JsonPathFilter.FunctionCall.IsLogical(call.Name) => throw new JsonPathSyntaxException($"{call.Name}(...) is true or false, not a value to compare", at),
        _ => operand,
    };

    /// <summary>A test: a query (does it select anything?) or a function of logical type.</summary>
    private static JsonPathFilter AsTest(JsonPathFilter.Operand operand, int at) => operand switch
    {
        JsonPathFilter.FilterQuery query => new JsonPathFilter.Exists(query),
        JsonPathFilter.FunctionCall call when JsonPathFilter.FunctionCall.IsLogical(call.Name) => new JsonPathFilter.Logical(call),
        JsonPathFilter.FunctionCall call => throw new JsonPathSyntaxException($"{call.Name}(...) is a value, not a test; compare it, as in {call.Name}(@) > 0", at),
        _ => throw new JsonPathSyntaxException("a literal is not a test; compare it with something", at),
    };

    private int? ParseOptionalInteger()
    {
        var start = _pos;
        if (Peek() == '-')
        {
            _pos++;
        }

        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            return null;
        }

        return int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonPathSyntaxException("the index is not a valid integer", start);
    }

    private string ParseShorthandName()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] > 0x7F))
        {
            _pos++;
        }

        if (_pos == start || char.IsAsciiDigit(_text[start]))
        {
            throw new JsonPathSyntaxException("expected a member name after '.' (use ['name'] for names with other characters)", start);
        }

        return _text[start.._pos];
    }

    private string ParseStringLiteral()
    {
        var quote = _text[_pos++];
        var builder = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c == '\\' && _pos < _text.Length)
            {
                var escaped = _text[_pos++];
                builder.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\b',
                    'f' => '\f',
                    _ => escaped,
                });
                continue;
            }

            builder.Append(c);
        }

        throw Error("unterminated string literal");
    }

    private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private bool TryConsume(char c)
    {
        if (Peek() != c || _pos >= _text.Length)
        {
            return false;
        }

        _pos++;
        return true;
    }

    /// <summary>Skips spaces, then takes <paramref name="token"/> when it comes next.</summary>
    private bool TryConsume(string token)
    {
        SkipSpaces();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0)
        {
            return false;
        }

        _pos += token.Length;
        return true;
    }

    private void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private readonly JsonPathSyntaxException Error(string message) => new(message, _pos);
}
