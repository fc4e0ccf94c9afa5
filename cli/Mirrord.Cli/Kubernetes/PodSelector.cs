namespace Mirrord.Cli.Kubernetes;

/// <summary>How to list a target's pods: a label selector (owners) or the pod's own name.</summary>
internal sealed record PodSelector(string? LabelSelector, string? FieldSelector);
