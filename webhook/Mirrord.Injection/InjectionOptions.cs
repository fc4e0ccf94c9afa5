using Mirrord.Tunnel.Settings;

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

    /// <summary>
    /// What the sidecar holds after a steady load, with a margin: 24 MB idle and 28 MB after 30 s at
    /// 1000 requests/s (docs/BENCHMARKS.md, section 5), plus about 15 %.
    /// </summary>
    public string MemoryRequest { get; set; } = "32Mi";

    /// <summary>
    /// The GC keeps its heap under three quarters of the container's limit, so the limit shapes the
    /// peak: under 64 MiB the sidecar served 256 connections with at most 55 MB charged, under 96 MiB a
    /// thousand without a failed request (docs/BENCHMARKS.md, section 5). 96 MiB is that measured peak and
    /// a margin of about 75 %: an OOM-killed sidecar leaves the redirected ports refusing connections
    /// until it restarts, so the limit errs high.
    /// </summary>
    public string MemoryLimit { get; set; } = "96Mi";

    /// <summary>
    /// Request limits for every injected sidecar (<c>Injection:SidecarLimits:RequestHeadersTimeout</c>
    /// and so on); only the ones that differ from the defaults are written into the pod.
    /// </summary>
    public HttpLimitsOptions SidecarLimits { get; set; } = new();

    /// <summary>The webhook's own namespace: never injected.</summary>
    public string? OwnNamespace { get; set; }

    /// <summary>
    /// The cluster-wide session policy, a JSON document in the format of the namespace annotation
    /// <c>mirrord.dev/policy</c> (docs/POLICY.md). A bad one stops the webhook at start.
    /// </summary>
    public string? Policy { get; set; }

    private (string? Text, Incoming.Guardrails.SessionPolicy Policy)? _clusterPolicy;

    /// <summary>The parsed <see cref="Policy"/> (read once per text); empty when unset. Throws on a bad one (the webhook validates it at start).</summary>
    public Incoming.Guardrails.SessionPolicy ClusterPolicy()
    {
        if (_clusterPolicy is { } cached && cached.Text == Policy)
        {
            return cached.Policy;
        }

        var policy = Policy is not { Length: > 0 } text
            ? Incoming.Guardrails.SessionPolicy.Empty
            : Incoming.Guardrails.SessionPolicyParser.Parse(text, $"{SectionName}:{nameof(Policy)}").Policy
                ?? throw new InvalidOperationException($"{SectionName}:{nameof(Policy)} is invalid");
        _clusterPolicy = (Policy, policy);
        return policy;
    }
}
