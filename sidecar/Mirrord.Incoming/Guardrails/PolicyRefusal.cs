namespace Mirrord.Incoming.Guardrails;

/// <summary>A session a policy does not allow: the rule (<see cref="PolicyRules"/>) and a sentence for the developer.</summary>
public sealed record PolicyRefusal(string Rule, string Message);
