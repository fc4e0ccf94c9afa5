using System.Globalization;
using k8s.Models;

namespace Mirrord.Cli.Variables;

/// <summary>
/// The variables the kubelet gives a container for each active Service (kubernetes <c>pkg/kubelet/envvars/envvars.go</c>,
/// FromServices): for a Service with a cluster IP, <c>{NAME}_SERVICE_HOST</c>, <c>{NAME}_SERVICE_PORT</c> (its first
/// port), <c>{NAME}_SERVICE_PORT_{PORTNAME}</c> for each named port, and Docker-link variables: <c>{NAME}_PORT</c>
/// (the first port as <c>tcp://ip:port</c>) and for each port <c>{NAME}_PORT_{port}_{PROTO}</c> with <c>_PROTO</c>,
/// <c>_PORT</c> and <c>_ADDR</c>. Names are upper-cased with dashes made underscores.
/// </summary>
internal static class ServiceLinkVariables
{
    public static IEnumerable<KeyValuePair<string, string>> From(IEnumerable<V1Service> services)
    {
        foreach (var service in services)
        {
            var ip = service.Spec?.ClusterIP;
            if (string.IsNullOrEmpty(ip) || ip == "None" || service.Spec!.Ports is not { Count: > 0 } ports)
            {
                continue;
            }

            var name = VariableName(service.Name());
            yield return new($"{name}_SERVICE_HOST", ip);
            yield return new($"{name}_SERVICE_PORT", Port(ports[0]));
            foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            {
                yield return new($"{name}_SERVICE_PORT_{VariableName(port.Name)}", Port(port));
            }

            var host = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;
            for (var i = 0; i < ports.Count; i++)
            {
                var protocol = (ports[i].Protocol ?? "TCP").ToUpperInvariant();
                var url = $"{protocol.ToLowerInvariant()}://{host}:{Port(ports[i])}";
                var prefix = $"{name}_PORT_{Port(ports[i])}_{protocol}";
                if (i == 0)
                {
                    yield return new($"{name}_PORT", url);
                }

                yield return new(prefix, url);
                yield return new($"{prefix}_PROTO", protocol.ToLowerInvariant());
                yield return new($"{prefix}_PORT", Port(ports[i]));
                yield return new($"{prefix}_ADDR", ip);
            }
        }
    }

    private static string VariableName(string name) => name.ToUpperInvariant().Replace('-', '_');

    private static string Port(V1ServicePort port) => port.Port.ToString(CultureInfo.InvariantCulture);
}
