using System.Globalization;
using System.Text;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// mirrord compiles filters with Rust's fancy-regex (on top of the regex crate); .NET's engine
/// reads most of that dialect the same way, and the rest is rewritten here where the meaning is
/// the same: <c>(?P&lt;name&gt;…)</c> and <c>(?P=name)</c>, <c>\h</c> / <c>\H</c> (hex digits),
/// POSIX classes such as <c>[[:alpha:]]</c>, possessive quantifiers (<c>\d++</c> becomes the atomic
/// group <c>(?&gt;\d+)</c>), braced code points (<c>\x{1F600}</c>), word-boundary assertions
/// (<c>\&lt;</c>, <c>\b{start}</c>), nested classes that are unions, conditionals on a named group,
/// the no-op flag <c>u</c>. What has no equivalent (<c>\K</c>, subroutine calls, the flags
/// <c>U</c> and <c>-u</c>, class set operations) is refused, naming the construct and where it is.
/// The table is in docs/CONFIG.md.
/// </summary>
public static class RustRegexDialect
{
    private static readonly Dictionary<string, string> s_posixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = "\\x00-\\x7F",
        ["blank"] = "\\t ",
        ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["digit"] = "0-9",
        ["graph"] = "!-~",
        ["lower"] = "a-z",
        ["print"] = " -~",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["space"] = "\\t\\n\\v\\f\\r ",
        ["upper"] = "A-Z",
        ["word"] = "0-9A-Za-z_",
        ["xdigit"] = "0-9A-Fa-f",
    };

    /// <summary>The pattern in .NET's dialect, or why it cannot be: the construct and its offset in <paramref name="pattern"/>.</summary>
    public static TranslatedPattern Translate(string pattern)
    {
        var translator = new Translator(pattern);
        try
        {
            translator.Run();
            return new TranslatedPattern(translator.Output.ToString(), [.. translator.SourceOffsets], null);
        }
        catch (UntranslatableException ex)
        {
            return new TranslatedPattern(null, [], $"{ex.Message} at offset {ex.Offset}");
        }
    }

    private sealed class UntranslatableException(string message, int offset) : Exception(message)
    {
        public int Offset { get; } = offset;
    }

    private sealed class Translator(string input)
    {
        private readonly Stack<int> _groups = new();
        private int _position;
        private int _atomStart = -1;

        public StringBuilder Output { get; } = new();

        /// <summary>For each output character, the offset of the input character it came from.</summary>
        public List<int> SourceOffsets { get; } = [];

        public void Run()
        {
            while (_position < input.Length)
            {
                var start = _position;
                var c = input[_position];
                switch (c)
                {
                    case '\\':
                        Escape(start);
                        break;
                    case '[':
                        _atomStart = Output.Length;
                        Class(start);
                        break;
                    case '(':
                        Group(start);
                        break;
                    case ')':
                        _position++;
                        Emit(")", start);
                        _atomStart = _groups.Count > 0 ? _groups.Pop() : -1;
                        break;
                    case '*' or '+' or '?':
                        _position++;
                        Emit(c.ToString(), start);
                        Quantified(start);
                        break;
                    case '{' when Repetition() is { } repetition:
                        _position += repetition.Length;
                        Emit(repetition, start);
                        Quantified(start);
                        break;
                    case '|' or '^' or '$':
                        _position++;
                        Emit(c.ToString(), start);
                        _atomStart = -1;
                        break;
                    default:
                        _atomStart = Output.Length;
                        _position++;
                        Emit(c.ToString(), start);
                        break;
                }
            }
        }

        private void Emit(string text, int source)
        {
            Output.Append(text);
            for (var i = 0; i < text.Length; i++)
            {
                SourceOffsets.Add(source);
            }
        }

        // After a quantifier: a lazy '?' stays as it is; a possessive '+' turns atom and quantifier into an atomic group.
        private void Quantified(int quantifierStart)
        {
            if (_position < input.Length && input[_position] == '?')
            {
                _position++;
                Emit("?", quantifierStart);
                return;
            }

            if (_position < input.Length && input[_position] == '+')
            {
                if (_atomStart < 0)
                {
                    throw new UntranslatableException("a possessive quantifier with nothing before it", quantifierStart);
                }

                Output.Insert(_atomStart, "(?>");
                SourceOffsets.InsertRange(_atomStart, [SourceOffsets[_atomStart], SourceOffsets[_atomStart], SourceOffsets[_atomStart]]);
                Emit(")", _position);
                _position++;
            }
        }

        private string? Repetition()
        {
            var end = input.IndexOf('}', _position);
            if (end < 0)
            {
                return null;
            }

            var body = input[(_position + 1)..end];
            var parts = body.Split(',');
            return parts.Length is 1 or 2 && parts[0].Length > 0 && parts.All(p => p.All(char.IsAsciiDigit))
                ? input[_position..(end + 1)]
                : null;
        }

        private void Escape(int start)
        {
            if (start + 1 >= input.Length)
            {
                throw new UntranslatableException("a pattern that ends in a backslash", start);
            }

            var next = input[start + 1];
            _position = start + 2;
            var isAtom = true;
            string text;
            switch (next)
            {
                case 'h':
                    text = "[0-9A-Fa-f]";
                    break;
                case 'H':
                    text = "[^0-9A-Fa-f]";
                    break;
                case 'K':
                    throw new UntranslatableException("\\K (which resets the start of the match) has no .NET equivalent", start);
                case 'x' or 'u' or 'U' when _position < input.Length && input[_position] == '{':
                    text = CodePoint(start, Braced(start));
                    break;
                case 'U':
                    text = CodePoint(start, Fixed(start, 8));
                    break;
                case 'k' when _position < input.Length && input[_position] == '<' && input.IndexOf('>', _position) is var nameEnd and > 0:
                    _position = nameEnd + 1;
                    text = input[start.._position];
                    break;
                case '<':
                    text = "\\b(?=\\w)";
                    isAtom = false;
                    break;
                case '>':
                    text = "\\b(?<=\\w)";
                    isAtom = false;
                    break;
                case 'b' when _position < input.Length && input[_position] == '{':
                    text = WordBoundary(start);
                    isAtom = false;
                    break;
                case 'p' or 'P' when _position < input.Length && input[_position] == '{':
                    var close = input.IndexOf('}', _position);
                    if (close < 0)
                    {
                        throw new UntranslatableException($"\\{next}{{ without its closing brace", start);
                    }

                    _position = close + 1;
                    text = input[start.._position];
                    break;
                default:
                    text = input[start.._position];
                    isAtom = next is not ('b' or 'B' or 'A' or 'z' or 'G');
                    break;
            }

            _atomStart = isAtom ? Output.Length : -1;
            Emit(text, start);
        }

        private string WordBoundary(int start)
        {
            var close = input.IndexOf('}', _position);
            var kind = close < 0 ? null : input[(_position + 1)..close];
            _position = close + 1;
            return kind switch
            {
                "start" => "\\b(?=\\w)",
                "end" => "\\b(?<=\\w)",
                "start-half" => "(?<!\\w)",
                "end-half" => "(?!\\w)",
                _ => throw new UntranslatableException($"\\b{{{kind}}} is not a word-boundary assertion", start),
            };
        }

        private int Braced(int start)
        {
            var close = input.IndexOf('}', _position);
            if (close < 0)
            {
                throw new UntranslatableException("a braced code point without its closing brace", start);
            }

            var digits = input[(_position + 1)..close];
            _position = close + 1;
            return int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) && digits.Length is > 0 and <= 8
                ? value
                : throw new UntranslatableException($"\"{digits}\" is not a hexadecimal code point", start);
        }

        private int Fixed(int start, int length)
        {
            if (_position + length > input.Length || !int.TryParse(input.AsSpan(_position, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                throw new UntranslatableException($"\\U needs {length} hexadecimal digits", start);
            }

            _position += length;
            return value;
        }

        private static string CodePoint(int start, int value)
        {
            if (value is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
            {
                throw new UntranslatableException($"U+{value:X} is not a Unicode scalar value", start);
            }

            // .NET matches UTF-16: a code point beyond the BMP is its surrogate pair, in a group so that a quantifier takes both.
            var utf16 = char.ConvertFromUtf32(value);
            return utf16.Length == 1
                ? $"\\u{(int)utf16[0]:X4}"
                : $"(?:\\u{(int)utf16[0]:X4}\\u{(int)utf16[1]:X4})";
        }

        private void Group(int start)
        {
            var rest = input.AsSpan(start);
            if (rest.StartsWith("(?P<"))
            {
                _groups.Push(Output.Length);
                _position = start + 4;
                Emit("(?<", start);
            }
            else if (rest.StartsWith("(?P=") || rest.StartsWith("(?P>"))
            {
                var close = input.IndexOf(')', start);
                if (close < 0)
                {
                    throw new UntranslatableException($"{rest[..4]} without its closing parenthesis", start);
                }

                var name = input[(start + 4)..close];
                if (rest[3] == '>')
                {
                    throw new UntranslatableException($"the subroutine call (?P>{name}) has no .NET equivalent", start);
                }

                _position = close + 1;
                _atomStart = Output.Length;
                Emit($"\\k<{name}>", start);
            }
            else if (rest.StartsWith("(?(<") && input.IndexOf(">)", start, StringComparison.Ordinal) is var end and > 0)
            {
                // fancy-regex's conditional on a named group, (?(<name>)yes|no), is .NET's (?(name)yes|no).
                _groups.Push(Output.Length);
                _position = end + 2;
                Emit($"(?({input[(start + 4)..end]})", start);
            }
            else if (rest.StartsWith("(?") && Flags(start) is { } flags)
            {
                Emit(flags, start);
            }
            else
            {
                _groups.Push(Output.Length);
                _position = start + 1;
                Emit("(", start);
            }
        }

        // (?flags) or (?flags:...): U and -u have no .NET meaning; u is .NET's default and is dropped.
        private string? Flags(int start)
        {
            var end = start + 2;
            while (end < input.Length && (char.IsAsciiLetter(input[end]) || input[end] == '-'))
            {
                end++;
            }

            if (end == start + 2 || end >= input.Length || input[end] is not (')' or ':'))
            {
                return null;
            }

            var flags = input[(start + 2)..end];
            var off = flags.IndexOf('-', StringComparison.Ordinal);
            if (flags.Contains('U', StringComparison.Ordinal))
            {
                throw new UntranslatableException($"the flag U (lazy by default) in (?{flags}) has no .NET equivalent", start);
            }

            if (off >= 0 && flags[off..].Contains('u', StringComparison.Ordinal))
            {
                throw new UntranslatableException($"the flag -u (ASCII-only classes) in (?{flags}) has no .NET equivalent", start);
            }

            var kept = flags.Replace("u", string.Empty, StringComparison.Ordinal).TrimEnd('-');
            _position = end + 1;
            if (input[end] == ':')
            {
                _groups.Push(Output.Length);
                return $"(?{kept}:";
            }

            return kept.Length == 0 ? string.Empty : $"(?{kept})";
        }

        private void Class(int start)
        {
            _position = start + 1;
            var body = new StringBuilder();
            var negated = false;
            if (_position < input.Length && input[_position] == '^')
            {
                negated = true;
                _position++;
            }

            var first = true;
            while (true)
            {
                if (_position >= input.Length)
                {
                    throw new UntranslatableException("a character class without its closing bracket", start);
                }

                var c = input[_position];
                if (c == ']' && !first)
                {
                    _position++;
                    break;
                }

                first = false;
                if (input.AsSpan(_position).StartsWith("[:"))
                {
                    body.Append(PosixClass(start, ref negated, body.Length == 0));
                }
                else if (c == '[')
                {
                    body.Append(NestedClass());
                }
                else if (c == '\\' && _position + 1 < input.Length)
                {
                    body.Append(ClassEscape(_position));
                }
                else if (input.AsSpan(_position).StartsWith("&&") || input.AsSpan(_position).StartsWith("--") || input.AsSpan(_position).StartsWith("~~"))
                {
                    throw new UntranslatableException($"the class set operation {input.Substring(_position, 2)} has no .NET equivalent", _position);
                }
                else
                {
                    body.Append(c);
                    _position++;
                }
            }

            Emit($"[{(negated ? "^" : string.Empty)}{body}]", start);
        }

        private string PosixClass(int classStart, ref bool negated, bool alone)
        {
            var close = input.IndexOf(":]", _position, StringComparison.Ordinal);
            var name = close < 0 ? string.Empty : input[(_position + 2)..close];
            var negatedName = name.StartsWith('^');
            if (!s_posixClasses.TryGetValue(negatedName ? name[1..] : name, out var members))
            {
                throw new UntranslatableException($"[:{name}:] is not a POSIX class", _position);
            }

            var at = _position;
            _position = close + 2;
            if (negatedName)
            {
                // [[:^alpha:]] alone is [^A-Za-z]; beside other members a negated class cannot be written in .NET.
                if (!alone || negated || _position >= input.Length || input[_position] != ']')
                {
                    throw new UntranslatableException($"[:{name}:] beside other class members has no .NET equivalent", at);
                }

                negated = true;
            }

            return members;
        }

        // Rust's [a[bc]] is the union [abc]; a negated nested class cannot be flattened.
        private string NestedClass()
        {
            var at = _position;
            _position++;
            if (_position < input.Length && input[_position] == '^')
            {
                throw new UntranslatableException("a negated class nested in another has no .NET equivalent", at);
            }

            var inner = new StringBuilder();
            while (_position < input.Length && input[_position] != ']')
            {
                if (input[_position] == '[')
                {
                    inner.Append(input.AsSpan(_position).StartsWith("[:") ? PosixMembers() : NestedClass());
                    continue;
                }

                if (input[_position] == '\\' && _position + 1 < input.Length)
                {
                    inner.Append(ClassEscape(_position));
                    continue;
                }

                inner.Append(input[_position++]);
            }

            _position++;
            return inner.ToString();
        }

        private string PosixMembers()
        {
            var negated = false;
            return PosixClass(_position, ref negated, alone: false);
        }

        private string ClassEscape(int start)
        {
            var next = input[start + 1];
            _position = start + 2;
            switch (next)
            {
                case 'h':
                    return "0-9A-Fa-f";
                case 'H':
                    throw new UntranslatableException("\\H inside a character class has no .NET equivalent", start);
                case 'x' or 'u' or 'U' when _position < input.Length && input[_position] == '{':
                    var value = Braced(start);
                    return value > 0xFFFF
                        ? throw new UntranslatableException($"U+{value:X} inside a character class (beyond UTF-16's single units) has no .NET equivalent", start)
                        : CodePoint(start, value);
                default:
                    return input[start.._position];
            }
        }
    }
}

/// <summary>A pattern in .NET's dialect with, for each of its characters, the offset in the original it came from; or why there is none.</summary>
public sealed record TranslatedPattern(string? Pattern, IReadOnlyList<int> SourceOffsets, string? Error);
