using System.Diagnostics.CodeAnalysis;

namespace Mirrord.Cli.Commands;

/// <summary>Reading manifests (a file or stdin) and <c>--namespace-labels</c>, shared by <c>inject</c> and <c>check-inject</c>.</summary>
internal static class ManifestInput
{
    public static bool TryRead(string file, TextReader stdin, TextWriter error, [NotNullWhen(true)] out string? text)
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

    public static bool TryParseLabels(string? text, TextWriter error, out IReadOnlyDictionary<string, string>? labels)
    {
        labels = null;
        if (text is null)
        {
            return true;
        }

        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error.WriteLine($"error: --namespace-labels: \"{pair}\" is not key=value");
                return false;
            }

            parsed[pair[..equals]] = pair[(equals + 1)..];
        }

        labels = parsed;
        return true;
    }
}
