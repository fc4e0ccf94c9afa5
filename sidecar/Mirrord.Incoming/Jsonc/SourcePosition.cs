namespace Mirrord.Incoming.Jsonc;

/// <summary>A 1-based line and column in the text a value was read from.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>Used for values that were not read from text (defaults, flags).</summary>
    public static SourcePosition None => default;

    public bool IsKnown => Line > 0;

    public override string ToString() => IsKnown ? $"line {Line}, column {Column}" : "(no position)";
}
