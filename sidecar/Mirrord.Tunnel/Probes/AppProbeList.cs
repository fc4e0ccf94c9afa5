using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirrord.Tunnel.Probes;

/// <summary>The text form of the pod's probes in the sidecar's environment: a JSON array of <see cref="AppProbe"/>.</summary>
public static class AppProbeList
{
    public static string Format(IReadOnlyList<AppProbe> probes) => JsonSerializer.Serialize([.. probes], ProbeJsonContext.Default.AppProbeArray);

    /// <summary>Reads the list; false with the problem when the text is not one.</summary>
    public static bool TryParse(string text, out IReadOnlyList<AppProbe> probes, out string? problem)
    {
        probes = [];
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(text, ProbeJsonContext.Default.AppProbeArray) ?? [];
            if (parsed.FirstOrDefault(p => p.Port is < 1 or > 65535 || (!p.Grpc && string.IsNullOrEmpty(p.Path))) is { } bad)
            {
                problem = $"probe {bad} needs a port from 1 to 65535 and, unless it is a gRPC probe, a path";
                return false;
            }

            probes = parsed;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"not a JSON array of probes: {ex.Message}";
            return false;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AppProbe[]))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
