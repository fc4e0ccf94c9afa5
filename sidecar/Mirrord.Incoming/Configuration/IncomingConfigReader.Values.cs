using System.Text.Json;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

internal sealed partial class IncomingConfigReader
{
    private void Error(string path, JsoncValue value, string message)
        => _errors.Add(new ConfigDiagnostic(path, value.Position, message));

    private void Warning(string path, JsoncValue value, string message)
        => _warnings.Add(new ConfigDiagnostic(path, value.Position, message));

    /// <summary>
    /// Returns an object's members by name after reporting unknown and repeated ones; a non-object
    /// is reported and yields no members.
    /// </summary>
    private Dictionary<string, JsoncProperty> ReadFields(JsoncValue value, string path, IReadOnlyList<string> known)
    {
        var fields = new Dictionary<string, JsoncProperty>(StringComparer.Ordinal);
        if (value.Kind != JsonValueKind.Object)
        {
            Error(path, value, $"must be an object; got {value.Describe()}");
            return fields;
        }

        foreach (var property in value.Properties)
        {
            var propertyPath = $"{path}.{property.Name}";
            if (!known.Contains(property.Name))
            {
                _errors.Add(new ConfigDiagnostic(propertyPath, property.NamePosition,
                    $"unknown field \"{property.Name}\"{Suggestion(property.Name, known)}; expected one of: {string.Join(", ", known)}"));
            }
            else if (!fields.TryAdd(property.Name, property))
            {
                _errors.Add(new ConfigDiagnostic(propertyPath, property.NamePosition, "is set more than once"));
            }
        }

        return fields;
    }

    private string? ReadString(JsoncValue value, string path)
    {
        if (value.Kind == JsonValueKind.String)
        {
            return value.Text;
        }

        Error(path, value, $"must be a string; got {value.Describe()}");
        return null;
    }

    private int? ReadPort(JsoncValue value, string path)
    {
        if (value.TryGetInt64(out var port) && port is >= 1 and <= 65535)
        {
            return (int)port;
        }

        Error(path, value, $"must be a port number from 1 to 65535; got {value.Describe()}");
        return null;
    }

    /// <summary>Reads an array of ports; with <paramref name="allowSingle"/> a lone number is a list of one (mirrord's VecOrSingle).</summary>
    private List<int> ReadPortList(JsoncValue value, string path, bool allowSingle)
    {
        var ports = new List<int>();
        if (allowSingle && value.Kind == JsonValueKind.Number)
        {
            if (ReadPort(value, path) is { } single)
            {
                ports.Add(single);
            }

            return ports;
        }

        if (value.Kind != JsonValueKind.Array)
        {
            Error(path, value, $"must be an array of port numbers; got {value.Describe()}");
            return ports;
        }

        for (var i = 0; i < value.Items.Count; i++)
        {
            if (ReadPort(value.Items[i], $"{path}[{i}]") is { } port && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    private static string CaseHint(string text, params string[] choices)
    {
        foreach (var choice in choices)
        {
            if (string.Equals(text, choice, StringComparison.OrdinalIgnoreCase))
            {
                return $" (values are lowercase: \"{choice}\")";
            }
        }

        return string.Empty;
    }

    private static string Suggestion(string name, IReadOnlyList<string> known)
    {
        var best = known.MinBy(candidate => EditDistance(name, candidate));
        return best is not null && EditDistance(name, best) <= 2 ? $" (did you mean \"{best}\"?)" : string.Empty;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
