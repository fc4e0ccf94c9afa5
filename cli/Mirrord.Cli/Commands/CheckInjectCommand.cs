using System.CommandLine;
using Mirrord.Injection;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>check-inject</c>: says, per workload, whether the webhook would inject it in a namespace with
/// the given labels, and why. Exits 0 when every workload would be admitted, 2 when one would be denied.
/// </summary>
internal static class CheckInjectCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var file = Options.ManifestFile();
        var labels = Options.NamespaceLabels();
        var annotations = Options.NamespaceAnnotations();
        var @namespace = Options.DefaultNamespace();
        var clusterPolicy = Options.ClusterPolicy();
        var command = new Command("check-inject", "Explain whether the webhook would inject each workload, and why") { file, labels, annotations, @namespace, clusterPolicy };
        command.SetAction(parse =>
        {
            var empty = new Dictionary<string, string>();
            var options = new InjectionOptions();
            if (!ManifestInput.TryReadClusterPolicy(parse.GetValue(clusterPolicy), options, error))
            {
                return ExitCodes.ConfigInvalid;
            }

            if (ManifestInput.Inject(parse.GetRequiredValue(file), parse.GetValue(labels), parse.GetValue(annotations), empty, parse.GetRequiredValue(@namespace), options, input, error, out var exitCode)
                is not var (_, reports))
            {
                return exitCode;
            }

            if (reports.Count == 0)
            {
                output.WriteLine("no Pod or workload in the file");
            }

            foreach (var report in reports)
            {
                WorkloadLines.Write(report, future: true, output);
            }

            return reports.Any(r => r.Result.Outcome == InjectionOutcome.Denied) ? ExitCodes.ConfigInvalid : ExitCodes.Success;
        });
        return command;
    }
}
