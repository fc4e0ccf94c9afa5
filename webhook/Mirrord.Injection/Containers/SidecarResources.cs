using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mirrord.Injection.Containers;

/// <summary>The sidecar's resources: the webhook's defaults, overridden per pod by annotations.</summary>
internal sealed partial record SidecarResources(string CpuRequest, string MemoryRequest, string MemoryLimit)
{
    public static (SidecarResources? Resources, string? Error) Resolve(JsonObject pod, InjectionOptions options)
    {
        var cpu = Read(pod, PodAnnotations.SidecarCpuRequest, options.CpuRequest, out var cpuError);
        var memory = Read(pod, PodAnnotations.SidecarMemoryRequest, options.MemoryRequest, out var memoryError);
        var limit = Read(pod, PodAnnotations.SidecarMemoryLimit, options.MemoryLimit, out var limitError);
        var error = cpuError ?? memoryError ?? limitError;
        return error is null ? (new SidecarResources(cpu, memory, limit), null) : (null, error);
    }

    private static string Read(JsonObject pod, string annotation, string fallback, out string? error)
    {
        error = null;
        if (PodJson.Annotation(pod, annotation) is not { } value)
        {
            return fallback;
        }

        if (!Quantity().IsMatch(value))
        {
            error = $"annotation {annotation}: \"{value}\" is not a Kubernetes quantity (e.g. 50m, 64Mi)";
        }

        return value;
    }

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$")]
    private static partial Regex Quantity();
}
