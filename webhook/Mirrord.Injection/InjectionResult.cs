using Mirrord.Injection.Patching;

namespace Mirrord.Injection;

/// <summary>What the injector decided for one pod, why, and the patch that carries it out.</summary>
public sealed record InjectionResult(InjectionOutcome Outcome, string Reason, JsonPatch Patch, IReadOnlyList<string> Warnings)
{
    public static InjectionResult Skip(string reason, IReadOnlyList<string>? warnings = null) => new(InjectionOutcome.Skipped, reason, new JsonPatch([]), warnings ?? []);

    public static InjectionResult Deny(string reason) => new(InjectionOutcome.Denied, reason, new JsonPatch([]), []);
}
