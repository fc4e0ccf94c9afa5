namespace Mirrord.Injection;

/// <summary>
/// What the injector puts into pods, bound from the <c>Injection</c> configuration section of the
/// webhook (or from <c>mirrord-cli inject</c> flags). The images default to this build's version.
/// </summary>
public sealed class InjectionOptions
{
    public const string SectionName = "Injection";

    /// <summary>The sidecar image; <c>mirrord-init</c> runs the same image.</summary>
    public string SidecarImage { get; set; } = $"ghcr.io/mirrord-webhook/sidecar:{InjectorVersion.Current}";

    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    public string CpuRequest { get; set; } = "10m";

    public string MemoryRequest { get; set; } = "32Mi";

    public string MemoryLimit { get; set; } = "128Mi";

    /// <summary>The webhook's own namespace: never injected.</summary>
    public string? OwnNamespace { get; set; }
}
