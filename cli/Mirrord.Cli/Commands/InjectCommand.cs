using System.CommandLine;
using Mirrord.Injection;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>inject</c>: the webhook's mutation, offline, for GitOps pipelines that render manifests before
/// commit and for clusters that allow no webhooks. The namespace counts as opted in unless
/// <c>--namespace-labels</c> says otherwise; a workload with <c>mirrord.dev/inject: "false"</c> is left alone.
/// A workload the webhook would deny fails the whole run, and nothing is written.
/// </summary>
internal static class InjectCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var file = Options.ManifestFile();
        var outputFile = Options.ManifestOutput();
        var labels = Options.NamespaceLabels();
        var annotations = Options.NamespaceAnnotations();
        var @namespace = Options.DefaultNamespace();
        var clusterPolicy = Options.ClusterPolicy();
        var image = Options.SidecarImage();
        var command = new Command("inject", "Add the mirrord sidecar to the pod templates of rendered manifests") { file, outputFile, labels, annotations, @namespace, image, clusterPolicy };
        command.SetAction(parse =>
        {
            var options = new InjectionOptions();
            if (parse.GetValue(image) is { } sidecarImage)
            {
                options.SidecarImage = sidecarImage;
            }

            if (!ManifestInput.TryReadClusterPolicy(parse.GetValue(clusterPolicy), options, error))
            {
                return ExitCodes.ConfigInvalid;
            }

            if (ManifestInput.Inject(parse.GetRequiredValue(file), parse.GetValue(labels), parse.GetValue(annotations), null, parse.GetRequiredValue(@namespace), options, input, error, out var exitCode)
                is not var (injected, reports))
            {
                return exitCode;
            }

            foreach (var report in reports)
            {
                WorkloadLines.Write(report, future: false, error);
            }

            ManifestInput.WarnIfNamespaceUnknown(reports, error);

            if (reports.Any(r => r.Result.Outcome == InjectionOutcome.Denied))
            {
                error.WriteLine("error: nothing was written: fix the workloads above");
                return ExitCodes.ConfigInvalid;
            }

            if (parse.GetValue(outputFile) is { } path)
            {
                File.WriteAllText(path, injected);
            }
            else
            {
                output.Write(injected);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
