namespace Mirrord.Incoming.Filtering;

/// <summary>Whether a request matched, and which rule settled it.</summary>
public readonly record struct FilterVerdict(bool IsMatch, FilterRule DecidingRule);
