namespace Mirrord.Cli.Kubernetes;

internal enum TargetKind
{
    Pod,
    Deployment,
    StatefulSet,
    ReplicaSet,

    /// <summary>An Argo Rollout (argoproj.io/v1alpha1), read for its pod selector.</summary>
    Rollout,
}
