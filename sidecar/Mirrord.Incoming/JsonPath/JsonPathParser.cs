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

        var segments = new List<JsonPathSegment>();
        while (_pos < _text.Length)
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
            else
            {
                throw Error($"expected '.' or '[' but found '{_text[_pos]}'");
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
                throw Error("filter selectors ('[?...]') are not supported; select the field by name, index or wildcard");
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

    private void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private readonly JsonPathSyntaxException Error(string message) => new(message, _pos);
}
