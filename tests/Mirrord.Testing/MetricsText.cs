using System.Globalization;
using System.Text.RegularExpressions;

namespace Mirrord.Testing;

/// <summary>
/// Reads one series out of a Prometheus text scrape by name and the labels a test cares about;
/// other labels (the exporter adds otel_scope_name to every series) do not matter.
/// </summary>
public static partial class MetricsText
{
    /// <summary>The value of the one series that matches, or null when none does.</summary>
    public static double? Find(string text, string name, params (string Name, string Value)[] labels)
    {
        var matches = Series(text, name, labels).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new InvalidOperationException($"{matches.Count} series of {name} match {string.Join(",", labels)}; name more labels:\n{text}"),
        };
    }

    /// <summary>The sum over every series of <paramref name="name"/> that matches (zero when none does).</summary>
    public static double Total(string text, string name, params (string Name, string Value)[] labels)
        => Series(text, name, labels).Sum();

    /// <summary>A counter's value: a series appears with its first measurement, so one that is absent is zero.</summary>
    public static long Counter(string text, string name, params (string Name, string Value)[] labels)
        => (long)(Find(text, name, labels) ?? 0);

    private static IEnumerable<double> Series(string text, string name, (string Name, string Value)[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var valueStart = line.LastIndexOf(' ') + 1;
            var present = LabelPattern().Matches(line[..valueStart]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(label => present.TryGetValue(label.Name, out var value) && value == label.Value))
            {
                yield return double.Parse(line[valueStart..], CultureInfo.InvariantCulture);
            }
        }
    }

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPattern();
}
