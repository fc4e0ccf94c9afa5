namespace Mirrord.Injection;

public enum InjectionOutcome
{
    /// <summary>The pod gets the sidecar.</summary>
    Injected,

    /// <summary>The pod is admitted unchanged (not opted in, opted out, already injected, ...).</summary>
    Skipped,

    /// <summary>The pod is refused: it asked for injection with annotations that cannot work.</summary>
    Denied,
}
