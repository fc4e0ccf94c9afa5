namespace Mirrord.Incoming.Jsonc;

/// <summary>An object member together with the position of its name.</summary>
public sealed record JsoncProperty(string Name, SourcePosition NamePosition, JsoncValue Value);
