namespace Mirrord.Incoming.Guardrails;

/// <summary>
/// A header every request must carry to be stolen or copied on the pod, whatever a session's filter
/// says (policy rule <c>requiredHeader</c>): unmarked traffic never reaches a laptop. The sidecar checks
/// it per request, before any session's filter (<see cref="RequiredHeaderGate"/>).
/// </summary>
/// <param name="Name">The header's name, compared ignoring case.</param>
/// <param name="ValuePattern">A pattern one of its values must match (mirrord's regex dialect, case-sensitive), or null: any value.</param>
public sealed record RequiredHeader(string Name, string? ValuePattern)
{
    /// <summary>The rule in words, for check-inject, status and refusals.</summary>
    public string Describe() => ValuePattern is null ? $"header {Name}" : $"header {Name} matching {ValuePattern}";
}
