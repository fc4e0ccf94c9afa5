using System.Globalization;
using System.Text.Json.Serialization;

namespace Mirrord.Tunnel.Probes;

/// <summary>
/// An httpGet or grpc probe of the pod's app containers on an intercepted port: kubelet's request
/// arrives through the redirect like any caller's, and the sidecar passes it to the app whatever a
/// session says, so a developer at a breakpoint never gets the app restarted by its liveness probe.
/// The injector reads them from the pod spec and writes them into the sidecar
/// (<see cref="SidecarEnvironment.Probes"/>); the CLI reads them from the pod to say so.
/// </summary>
/// <param name="Port">The container port kubelet calls.</param>
/// <param name="Path">The request target kubelet sends (path and query), for httpGet; null for grpc.</param>
/// <param name="Grpc">A grpc probe: kubelet calls <see cref="GrpcHealthCheckPath"/> on the port.</param>
/// <param name="UserAgent">The User-Agent the probe's httpHeaders set, or null for kubelet's own (<c>kube-probe/MAJOR.MINOR</c>).</param>
/// <param name="Https">An httpGet probe with scheme HTTPS: seen by the sidecar only where it terminates the app's TLS.</param>
/// <param name="Kinds">Which probes of which container these are (<c>app liveness</c>), for messages.</param>
public sealed record AppProbe(
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path = null,
    [property: JsonPropertyName("grpc"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Grpc = false,
    [property: JsonPropertyName("userAgent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserAgent = null,
    [property: JsonPropertyName("https"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Https = false,
    [property: JsonPropertyName("kinds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kinds = null)
{
    /// <summary>The method and path kubelet's gRPC prober calls (grpc.health.v1.Health/Check; kubernetes pkg/probe/grpc/grpc.go).</summary>
    public const string GrpcHealthCheckPath = "/grpc.health.v1.Health/Check";

    /// <summary>
    /// The prefix of the User-Agent kubelet sends unless the probe sets one: <c>kube-probe/MAJOR.MINOR</c>
    /// for httpGet (kubernetes pkg/probe/http/request.go, <c>userAgent</c>), and the same passed to
    /// grpc-go's <c>WithUserAgent</c> for grpc, which appends its own name after it (pkg/probe/grpc/grpc.go).
    /// </summary>
    public const string KubeletUserAgentPrefix = "kube-probe/";

    /// <summary>
    /// kubelet's request target for an httpGet path: the path as written (kubelet parses it as a URL
    /// and sends its path and query, pkg/probe/http/request.go <c>formatURL</c>), "/" when empty, and
    /// a leading "/" added where the path has none, as Go's URL writer does for a URL with a host.
    /// </summary>
    public static string RequestTarget(string? path)
        => string.IsNullOrEmpty(path) ? "/" : path[0] == '/' ? path : "/" + path;

    /// <summary>Whether a request is this probe as kubelet sends it: its port, GET (POST for gRPC), its target and kubelet's User-Agent.</summary>
    public bool Matches(int port, string method, string target, string? userAgent)
    {
        if (port != Port)
        {
            return false;
        }

        if (Grpc)
        {
            return string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase)
                && string.Equals(target, GrpcHealthCheckPath, StringComparison.Ordinal)
                && userAgent is not null && userAgent.StartsWith(KubeletUserAgentPrefix, StringComparison.Ordinal);
        }

        return string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase)
            && string.Equals(target, Path, StringComparison.Ordinal)
            && (UserAgent is { } expected
                ? string.Equals(userAgent, expected, StringComparison.Ordinal)
                : userAgent is not null && userAgent.StartsWith(KubeletUserAgentPrefix, StringComparison.Ordinal));
    }

    /// <summary>The probe in a few words: <c>GET /healthz on port 8080 (app liveness)</c>.</summary>
    public string Describe()
    {
        var what = Grpc ? "gRPC health check" : $"{(Https ? "HTTPS " : string.Empty)}GET {Path}";
        return $"{what} on port {Port.ToString(CultureInfo.InvariantCulture)}{(Kinds is null ? string.Empty : $" ({Kinds})")}";
    }
}
