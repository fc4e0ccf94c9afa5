using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mirrord.Injection;

/// <summary>A probe the injector rewrote (a tcpSocket probe on an intercepted port), with what it was.</summary>
/// <param name="Container">The container's name.</param>
/// <param name="Probe"><c>livenessProbe</c>, <c>readinessProbe</c> or <c>startupProbe</c>.</param>
/// <param name="TcpSocket">The original <c>tcpSocket</c> handler, as written.</param>
public sealed record RewrittenProbe(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("probe")] string Probe,
    [property: JsonPropertyName("tcpSocket")] JsonObject TcpSocket);
