using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirrord.Injection;

/// <summary>
/// What the webhook did to a pod, recorded in <see cref="PodAnnotations.Status"/>: the sidecar's
/// version, the container ports redirected to it and how (<c>iptables</c> without a mesh,
/// <c>behind-istio</c> or <c>behind-linkerd</c> behind one). The CLI reads it to tell an injected
/// pod from one that is not. <c>probes</c>, when present, lists the tcpSocket probes that were
/// rewritten to ask the sidecar, with their original handlers.
/// </summary>
public sealed record InjectionStatus(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("ports")] IReadOnlyList<int> Ports,
    [property: JsonPropertyName("redirect")] string Redirect,
    [property: JsonPropertyName("probes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RewrittenProbe>? Probes = null)
{
    /// <summary>What the redirect mode means, for people; an unknown name (a newer injector's) is shown as it is.</summary>
    public string DescribeRedirect()
        => Tunnel.Redirect.RedirectModeNames.TryParseStatusName(Redirect, out var mode) ? $"{Redirect}: {Tunnel.Redirect.RedirectModeNames.Describe(mode)}" : Redirect;

    public string ToJson() => JsonSerializer.Serialize(this, InjectionJsonContext.Default.InjectionStatus);

    /// <summary>Reads the annotation value; false with a reason when it is absent or malformed.</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out InjectionStatus? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            error = $"the pod has no {PodAnnotations.Status} annotation";
            return false;
        }

        try
        {
            status = JsonSerializer.Deserialize(json, InjectionJsonContext.Default.InjectionStatus);
        }
        catch (JsonException ex)
        {
            error = $"{PodAnnotations.Status} is not valid JSON: {ex.Message}";
            return false;
        }

        if (status is null || string.IsNullOrEmpty(status.Version) || status.Ports is null)
        {
            error = $"{PodAnnotations.Status} lacks \"version\" or \"ports\"";
            status = null;
            return false;
        }

        error = null;
        return true;
    }
}

[JsonSerializable(typeof(InjectionStatus))]
internal sealed partial class InjectionJsonContext : JsonSerializerContext;
