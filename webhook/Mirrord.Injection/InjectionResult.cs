using Mirrord.Injection.Patching;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Injection;

/// <summary>What the injector decided for one pod, why, and the patch that carries it out.</summary>
/// <param name="Outcome">Injected, skipped or denied.</param>
/// <param name="Reason">Why, in a sentence that names the annotation, label or mesh that decided.</param>
/// <param name="Patch">The JSON Patch (empty unless injected).</param>
/// <param name="Warnings">What the user should know, as the webhook returns it to kubectl.</param>
/// <param name="Redirect">For an injected pod, how its traffic reaches the sidecar (also in <see cref="PodAnnotations.Status"/>).</param>
/// <param name="Rewrites">What the patch changes in the pod's own containers (a tcpSocket probe rewritten), in sentences.</param>
/// <param name="Policy">The session policy written into the sidecar, a sentence per rule (none: every session is allowed).</param>
public sealed record InjectionResult(
    InjectionOutcome Outcome, string Reason, JsonPatch Patch, IReadOnlyList<string> Warnings, RedirectMode? Redirect = null, IReadOnlyList<string>? Rewrites = null, IReadOnlyList<string>? Policy = null)
{
    public static InjectionResult Skip(string reason, IReadOnlyList<string>? warnings = null) => new(InjectionOutcome.Skipped, reason, new JsonPatch([]), warnings ?? []);

    public static InjectionResult Deny(string reason) => new(InjectionOutcome.Denied, reason, new JsonPatch([]), []);
}
