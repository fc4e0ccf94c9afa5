using System.Globalization;

namespace Mirrord.Injection.Mesh;

/// <summary>
/// A set of TCP ports as the meshes write them in annotations and init arguments: comma-separated
/// numbers and inclusive ranges (<c>4190,4191,5000-5010</c>; Linkerd's pkg/util/portrange.go).
/// Items that are not ports are ignored, as the meshes' own parsers skip them with a log line.
/// </summary>
internal sealed class PortSet
{
    private readonly List<(int Low, int High)> _ranges;

    private PortSet(List<(int, int)> ranges)
    {
        _ranges = ranges;
    }

    public static PortSet Empty { get; } = new([]);

    public bool Contains(int port) => _ranges.Any(r => port >= r.Low && port <= r.High);

    public static PortSet Parse(string? text)
    {
        var ranges = new List<(int, int)>();
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = item.Split('-', 2, StringSplitOptions.TrimEntries);
            if (Port(bounds[0]) is not { } low)
            {
                continue;
            }

            var high = bounds.Length == 2 ? Port(bounds[1]) : low;
            if (high is { } h && h >= low)
            {
                ranges.Add((low, h));
            }
        }

        return new PortSet(ranges);
    }

    public PortSet Union(PortSet other) => new([.. _ranges, .. other._ranges]);

    private static int? Port(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 ? port : null;
}
