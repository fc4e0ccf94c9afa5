using System.Globalization;
using System.Text.Json.Nodes;
using Mirrord.Injection.Mesh;
using Mirrord.Tunnel;

namespace Mirrord.Injection.Rules;

/// <summary>
/// Which container ports the redirect takes: <c>mirrord.dev/ports</c> (numbers or port names) when
/// set, else every TCP containerPort of the app containers (a mesh proxy's ports are the mesh's).
/// The sidecar's own ports are refused.
/// </summary>
internal static class InterceptedPortsRule
{
    private static readonly IReadOnlyList<int> s_reserved = SidecarPorts.All;

    public static (IReadOnlyList<int> Ports, string? Error, IReadOnlyList<string> Warnings) Resolve(JsonObject pod)
    {
        var declared = new Dictionary<string, int>(StringComparer.Ordinal);
        var numbers = new SortedSet<int>();
        foreach (var container in PodJson.Containers(pod, "containers").Where(c => !MeshContainers.IsMeshContainer(c)))
        {
            foreach (var port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var protocol = PodJson.String(port["protocol"]) ?? "TCP";
                if (protocol != "TCP" || PodJson.Int(port["containerPort"]) is not { } number)
                {
                    continue;
                }

                numbers.Add(number);
                if (PodJson.String(port["name"]) is { } name)
                {
                    declared[name] = number;
                }
            }
        }

        var warnings = new List<string>();
        if (PodJson.Annotation(pod, PodAnnotations.Ports) is not { } annotation)
        {
            var clash = numbers.Where(s_reserved.Contains).ToList();
            if (clash.Count > 0)
            {
                // The sidecar could not bind its port beside the app's: no injection, whatever the ports.
                return ([], $"container port {clash[0]} is one of the sidecar's own ports ({string.Join(", ", s_reserved)})", warnings);
            }

            return ([.. numbers], null, warnings);
        }

        var chosen = new SortedSet<int>();
        foreach (var item in annotation.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int port;
            if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                if (number is < 1 or > 65535)
                {
                    return ([], $"annotation {PodAnnotations.Ports}: \"{item}\" is not a port (1-65535)", warnings);
                }

                port = number;
                if (!numbers.Contains(port))
                {
                    warnings.Add($"annotation {PodAnnotations.Ports}: port {port} is not a declared TCP containerPort; it is intercepted anyway");
                }
            }
            else if (!declared.TryGetValue(item, out port))
            {
                return ([], $"annotation {PodAnnotations.Ports}: no container declares a TCP port named \"{item}\"", warnings);
            }

            if (s_reserved.Contains(port))
            {
                return ([], $"annotation {PodAnnotations.Ports}: {port} is one of the sidecar's own ports ({string.Join(", ", s_reserved)})", warnings);
            }

            chosen.Add(port);
        }

        return chosen.Count == 0
            ? ([], $"annotation {PodAnnotations.Ports}: \"{annotation}\" names no port", warnings)
            : ([.. chosen], null, warnings);
    }
}
