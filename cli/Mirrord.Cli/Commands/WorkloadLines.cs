using Mirrord.Cli.Manifests;
using Mirrord.Injection;

namespace Mirrord.Cli.Commands;

/// <summary>One line per workload for <c>inject</c> (what was done) and <c>check-inject</c> (what would be).</summary>
internal static class WorkloadLines
{
    public static string Describe(WorkloadReport report, bool future) => report.Result.Outcome switch
    {
        InjectionOutcome.Injected => $"{report.Workload}: {(future ? "would be injected" : "injected")}: {report.Result.Reason}",
        InjectionOutcome.Skipped => $"{report.Workload}: {(future ? "would not be injected" : "unchanged")}: {report.Result.Reason}",
        _ => $"{report.Workload}: {(future ? "would be denied" : "denied")}: {report.Result.Reason}",
    };
}
