using Mirrord.Cli.Manifests;
using Mirrord.Injection;
using Mirrord.Tunnel.Redirect;

namespace Mirrord.Cli.Commands;

/// <summary>Lines per workload for <c>inject</c> (what was done) and <c>check-inject</c> (what would be).</summary>
internal static class WorkloadLines
{
    public static string Describe(WorkloadReport report, bool future) => report.Result.Outcome switch
    {
        InjectionOutcome.Injected => $"{report.Workload}: {(future ? "would be injected" : "injected")}: {report.Result.Reason}",
        InjectionOutcome.Skipped => $"{report.Workload}: {(future ? "would not be injected" : "unchanged")}: {report.Result.Reason}",
        _ => $"{report.Workload}: {(future ? "would be denied" : "denied")}: {report.Result.Reason}",
    };

    /// <summary>The workload's line, then its redirect mode (when injected) and warnings, indented.</summary>
    public static void Write(WorkloadReport report, bool future, TextWriter output)
    {
        output.WriteLine(Describe(report, future));
        if (report.Result.Redirect is { } redirect)
        {
            output.WriteLine($"  redirect: {redirect.StatusName()} ({redirect.Describe()})");
        }

        if (report.Result.Outcome == InjectionOutcome.Injected && !future)
        {
            // What the rendered manifest carries is a snapshot: the webhook replaces it at admission.
            output.WriteLine(report.Result.Policy is { Count: > 0 }
                ? "  policy frozen into the sidecar (at admission the webhook replaces it with the cluster's and the namespace's policy of that moment):"
                : "  policy frozen into the sidecar: none, every session is allowed (at admission the webhook writes the cluster's and the namespace's policy of that moment)");
        }

        foreach (var rule in report.Result.Policy ?? [])
        {
            output.WriteLine($"  policy: {rule}");
        }

        foreach (var rewrite in report.Result.Rewrites ?? [])
        {
            output.WriteLine($"  probe: {rewrite}");
        }

        foreach (var warning in report.Result.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }
    }
}
