using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mirrord.Injection.Rules;

/// <summary>
/// HTTPS stealing as the pod asks for it: the app's Secret, the ports it serves TLS on, the sidecar's own client
/// certificate, the authorities the app trusts for its callers' certificates, and whether to pass them on.
/// </summary>
internal sealed record TlsPlan(string SecretName, IReadOnlyList<int> Ports, string? ClientSecretName, string? ClientAuthoritySecretName = null, bool ForwardClientCertificate = false);

/// <summary>
/// Reads <c>mirrord.dev/tls-secret</c>, <c>mirrord.dev/tls-ports</c> and <c>mirrord.dev/tls-client-secret</c>.
/// Any of them wrong is an error naming the annotation: the pod asked for HTTPS stealing itself, and
/// a half-understood request would leave its TLS unfiltered without anyone knowing why.
/// </summary>
internal static partial class TlsRule
{
    public static (TlsPlan? Plan, string? Error) Resolve(JsonObject pod, IReadOnlyList<int> intercepted)
    {
        var secret = PodJson.Annotation(pod, PodAnnotations.TlsSecret);
        var portsText = PodJson.Annotation(pod, PodAnnotations.TlsPorts);
        var clientSecret = PodJson.Annotation(pod, PodAnnotations.TlsClientSecret);
        var clientCa = PodJson.Annotation(pod, PodAnnotations.TlsClientCa);
        var forwardText = PodJson.Annotation(pod, PodAnnotations.TlsForwardClientCert);
        if (secret is null && portsText is null && clientSecret is null && clientCa is null && forwardText is null)
        {
            return (null, null);
        }

        if (forwardText is not (null or "true" or "false"))
        {
            return (null, $"annotation {PodAnnotations.TlsForwardClientCert}: \"{forwardText}\" must be \"true\" or \"false\"");
        }

        if (clientCa is not null && clientSecret is null)
        {
            return (null, $"annotation {PodAnnotations.TlsClientCa} needs {PodAnnotations.TlsClientSecret}: the authorities check callers' certificates where the sidecar presents its own to the app");
        }

        if (forwardText == "true" && clientCa is null)
        {
            return (null, $"annotation {PodAnnotations.TlsForwardClientCert} needs {PodAnnotations.TlsClientCa}: only a caller certificate the sidecar verified is passed to the app");
        }

        if (secret is null)
        {
            return (null, $"annotation {PodAnnotations.TlsSecret} is missing: {(portsText is null ? PodAnnotations.TlsClientSecret : PodAnnotations.TlsPorts)} needs the kubernetes.io/tls Secret the app serves TLS with");
        }

        foreach (var (annotation, name) in new[] { (PodAnnotations.TlsSecret, secret), (PodAnnotations.TlsClientSecret, clientSecret), (PodAnnotations.TlsClientCa, clientCa) })
        {
            if (name is not null && !IsSecretName(name))
            {
                return (null, $"annotation {annotation}: \"{name}\" is not a Secret name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)");
            }
        }

        if (string.IsNullOrWhiteSpace(portsText))
        {
            return (null, $"annotation {PodAnnotations.TlsPorts} is missing: list the ports whose app serves TLS with Secret {secret}");
        }

        var ports = new SortedSet<int>();
        foreach (var item in portsText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int port;
            if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                port = number;
            }
            else if (NamedPort(pod, item) is { } named)
            {
                port = named;
            }
            else
            {
                return (null, $"annotation {PodAnnotations.TlsPorts}: \"{item}\" is neither a port number nor the name of a container port");
            }

            if (!intercepted.Contains(port))
            {
                return (null, $"annotation {PodAnnotations.TlsPorts}: port {item} is not intercepted (the sidecar takes {string.Join(", ", intercepted)}); add it to {PodAnnotations.Ports}");
            }

            ports.Add(port);
        }

        return ports.Count == 0
            ? (null, $"annotation {PodAnnotations.TlsPorts}: \"{portsText}\" names no port")
            : (new TlsPlan(secret, [.. ports], clientSecret, clientCa, forwardText == "true"), null);
    }

    private static int? NamedPort(JsonObject pod, string name)
        => PodJson.Containers(pod, "containers")
            .SelectMany(container => (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(port => PodJson.String(port["name"]) == name)
            .Select(port => PodJson.Int(port["containerPort"]))
            .FirstOrDefault();

    // A DNS-1123 subdomain, as the API server requires of Secret names (apimachinery pkg/util/validation/validation.go).
    private static bool IsSecretName(string name) => name.Length <= 253 && SecretNamePattern().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SecretNamePattern();
}
