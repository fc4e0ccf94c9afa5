using System.Buffers;

namespace Mirrord.Incoming.Filtering;

/// <summary>
/// Visits each header value once, renders it as <c>name: value</c> (name in lower case) only when some pending rule
/// can match that name, and records which header rules matched. Stops when all have.
/// </summary>
internal ref struct HeaderPass : IHeaderVisitor
{
    private const int StackLimit = 512;

    private readonly HeaderRule[] _rules;
    private readonly HeaderLinePrefilter? _prefilter;
    private readonly Span<bool> _results;
    private readonly FilterDeadline _deadline;
    private int _pending;

    public HeaderPass(HeaderRule[] rules, HeaderLinePrefilter? prefilter, Span<bool> results, FilterDeadline deadline)
    {
        _rules = rules;
        _prefilter = prefilter;
        _results = results;
        _deadline = deadline;
        _pending = rules.Length;
    }

    public bool Visit(string name, string value)
    {
        if (!AnyPendingRuleWants(name))
        {
            return true;
        }

        var length = name.Length + 2 + value.Length;
        char[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            // mirrord matches the name as the Rust http crate stores it, in lower case: "(?-i)^x-dev:" behaves the same here.
            for (var i = 0; i < name.Length; i++)
            {
                buffer[i] = char.ToLowerInvariant(name[i]);
            }

            buffer[name.Length] = ':';
            buffer[name.Length + 1] = ' ';
            value.CopyTo(buffer[(name.Length + 2)..]);
            var line = buffer[..length];
            bool? screenedOut = null;
            for (var i = 0; i < _rules.Length; i++)
            {
                var rule = _rules[i];
                if (_results[i] || (rule.Prefiltered && (screenedOut ??= !_prefilter!.MightMatch(line))))
                {
                    continue;
                }

                if (rule.MatchesLine(name, line, _deadline))
                {
                    _results[i] = true;
                    _pending--;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        return _pending > 0;
    }

    private readonly bool AnyPendingRuleWants(string name)
    {
        for (var i = 0; i < _rules.Length; i++)
        {
            if (!_results[i] && (_rules[i].AnchoredName is not { } anchored || string.Equals(name, anchored, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
