using System.Net;
using k8s.Autorest;

namespace Mirrord.Cli.Kubernetes;

/// <summary>API errors as sentences: which permission is missing, or what the server said.</summary>
internal static class KubeErrors
{
    public static KubernetesException From(HttpOperationException ex, string doing) => ex.Response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => new KubernetesException(ExitCodes.KubernetesUnavailable, $"{doing}: the API server does not accept your credentials (401); log in again", ex),
        HttpStatusCode.Forbidden => new KubernetesException(ExitCodes.KubernetesUnavailable, $"{doing}: forbidden (403): {Reason(ex)}", ex),
        _ => new KubernetesException(ExitCodes.KubernetesUnavailable, $"{doing}: the API server answered {(int)ex.Response.StatusCode}: {Reason(ex)}", ex),
    };

    private static string Reason(HttpOperationException ex)
        => string.IsNullOrWhiteSpace(ex.Response.Content) ? ex.Message : ex.Response.Content.Trim();
}
