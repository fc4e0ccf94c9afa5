using System.Diagnostics.CodeAnalysis;
using Mirrord.Cli.Manifests;
using Mirrord.Injection;
using YamlDotNet.Core;

namespace Mirrord.Cli.Commands;

/// <summary>Reading manifests (a file or stdin), <c>--namespace-labels</c> and <c>--namespace-annotations</c>, shared by <c>inject</c> and <c>check-inject</c>.</summary>
internal static class ManifestInput
{
    // An optional DNS-subdomain prefix and a name (Kubernetes' qualified names), then '='.
    private static readonly System.Text.RegularExpressions.Regex s_pairStart = new(@"^\s*([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?=", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Reads the manifests and runs the injector over them, with the namespace labels from
    /// <paramref name="labelsText"/> or else <paramref name="defaultLabels"/>. Null, with the problem
    /// written to <paramref name="error"/> and the exit code set, when the input is unusable.
    /// </summary>
    public static (string Output, IReadOnlyList<WorkloadReport> Reports)? Inject(
        string file, string? labelsText, string? annotationsText, IReadOnlyDictionary<string, string>? defaultLabels, string @namespace, InjectionOptions options,
        TextReader stdin, TextWriter error, out int exitCode)
    {
        exitCode = ExitCodes.UsageError;
        if (!TryRead(file, stdin, error, out var text)
            || !TryParsePairs("--namespace-labels", labelsText, error, out var labels)
            || !TryParsePairs("--namespace-annotations", annotationsText, error, out var annotations))
        {
            return null;
        }

        try
        {
            exitCode = ExitCodes.Success;
            return new ManifestInjector(new PodInjector(options), @namespace, labels ?? defaultLabels, annotations).Inject(text);
        }
        catch (YamlException ex)
        {
            error.WriteLine($"error: --file {file}: {ex.Message}");
            exitCode = ExitCodes.ConfigInvalid;
            return null;
        }
    }

    /// <summary>Reads <c>--cluster-policy</c> into <paramref name="options"/>; false, with the problems written, when it cannot be used.</summary>
    public static bool TryReadClusterPolicy(string? file, InjectionOptions options, TextWriter error)
    {
        if (file is null)
        {
            return true;
        }

        if (!TryRead(file, TextReader.Null, error, out var text))
        {
            return false;
        }

        var (_, errors) = Incoming.Guardrails.SessionPolicyParser.Parse(text, $"--cluster-policy {file}");
        foreach (var problem in errors)
        {
            error.WriteLine($"error: {problem}");
        }

        options.Policy = text;
        return errors.Count == 0;
    }

    private static bool TryRead(string file, TextReader stdin, TextWriter error, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = file == "-" ? stdin.ReadToEnd() : File.ReadAllText(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: --file {file}: cannot read: {ex.Message}");
            text = null;
            return false;
        }
    }

    /// <summary>
    /// One line, printed once, when a workload's namespace was described neither by flags nor by a
    /// Namespace document: a mesh that opts the whole namespace in cannot be seen then.
    /// </summary>
    public static void WarnIfNamespaceUnknown(IReadOnlyList<WorkloadReport> reports, TextWriter error)
    {
        if (reports.Any(r => !r.NamespaceKnown && r.Result.Outcome == InjectionOutcome.Injected))
        {
            error.WriteLine(
                "warning: no --namespace-labels, --namespace-annotations or Namespace document said what the namespace carries, so a service mesh " +
                "that opts the whole namespace in (istio-injection, istio.io/rev, linkerd.io/inject) could not be seen; pass them, or the pods of a " +
                "meshed namespace get a redirect in front of the mesh's proxy (docs/MESH.md)");
        }
    }

    private static bool TryParsePairs(string flag, string? text, TextWriter error, out IReadOnlyDictionary<string, string>? labels)
    {
        labels = null;
        if (text is null)
        {
            return true;
        }

        // A comma starts a new pair only where a key follows (a Kubernetes name, then '='): an annotation's value
        // may hold commas itself, as a mirrord.dev/policy of several rules does.
        var pairs = new List<string>();
        foreach (var piece in text.Split(','))
        {
            if (pairs.Count > 0 && !s_pairStart.IsMatch(piece))
            {
                pairs[^1] += "," + piece;
            }
            else
            {
                pairs.Add(piece);
            }
        }

        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error.WriteLine($"error: {flag}: \"{pair}\" is not key=value");
                return false;
            }

            parsed[pair[..equals]] = pair[(equals + 1)..];
        }

        labels = parsed;
        return true;
    }
}
