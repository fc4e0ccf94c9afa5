using System.Diagnostics.CodeAnalysis;

namespace Mirrord.Cli.Kubernetes;

/// <summary>What the developer targets: <c>KIND/NAME</c>, with kubectl's kind aliases.</summary>
internal sealed record TargetReference(TargetKind Kind, string Name)
{
    private static readonly Dictionary<string, TargetKind> s_kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pod"] = TargetKind.Pod,
        ["pods"] = TargetKind.Pod,
        ["po"] = TargetKind.Pod,
        ["deployment"] = TargetKind.Deployment,
        ["deployments"] = TargetKind.Deployment,
        ["deploy"] = TargetKind.Deployment,
        ["statefulset"] = TargetKind.StatefulSet,
        ["statefulsets"] = TargetKind.StatefulSet,
        ["sts"] = TargetKind.StatefulSet,
        ["replicaset"] = TargetKind.ReplicaSet,
        ["replicasets"] = TargetKind.ReplicaSet,
        ["rs"] = TargetKind.ReplicaSet,
        ["rollout"] = TargetKind.Rollout,
        ["rollouts"] = TargetKind.Rollout,
        ["ro"] = TargetKind.Rollout,
    };

    public static bool TryParse(string text, [NotNullWhen(true)] out TargetReference? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            error = $"\"{text}\" is not KIND/NAME (e.g. deployment/orders, pod/orders-7d9f-x2x)";
            return false;
        }

        if (!s_kinds.TryGetValue(text[..slash], out var kind))
        {
            error = $"\"{text[..slash]}\" is not a supported kind; use pod, deployment, statefulset, replicaset or rollout";
            return false;
        }

        target = new TargetReference(kind, text[(slash + 1)..]);
        error = null;
        return true;
    }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}/{Name}";
}
