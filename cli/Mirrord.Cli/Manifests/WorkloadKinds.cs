namespace Mirrord.Cli.Manifests;

/// <summary>Where each workload kind keeps its pod: the JSON pointer of the pod template (empty for a Pod itself).</summary>
internal static class WorkloadKinds
{
    private static readonly Dictionary<string, string> s_templates = new(StringComparer.Ordinal)
    {
        ["Pod"] = string.Empty,
        ["Deployment"] = "/spec/template",
        ["StatefulSet"] = "/spec/template",
        ["DaemonSet"] = "/spec/template",
        ["ReplicaSet"] = "/spec/template",
        ["Job"] = "/spec/template",
        ["CronJob"] = "/spec/jobTemplate/spec/template",
    };

    public static string? TemplatePointer(string? kind) => kind is not null && s_templates.TryGetValue(kind, out var pointer) ? pointer : null;
}
