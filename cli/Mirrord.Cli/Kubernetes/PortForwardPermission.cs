using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Asks the API server, before any traffic moves, whether the user may port-forward: a WebSocket
/// upgrade is a GET, authorized as <c>get</c> on pods/portforward, and from Kubernetes 1.35 also as
/// <c>create</c> (feature gate AuthorizePodWebsocketUpgradeCreatePermission).
/// </summary>
internal static class PortForwardPermission
{
    /// <summary>What the user needs, and how to check it, for messages.</summary>
    public static string Needed(string ns)
        => $"connect needs get on pods/portforward in namespace {ns} (a port-forward over WebSocket is a GET), and from Kubernetes 1.35 create as well. " +
           $"Check with: kubectl auth can-i get pods/portforward -n {ns} && kubectl auth can-i create pods/portforward -n {ns}";

    /// <summary>
    /// Asks for each pod the session will port-forward to, by name: a Role may grant pods/portforward on some
    /// pods only (resourceNames), and a question without a name would be answered for every pod at once.
    /// </summary>
    /// <exception cref="KubernetesException">A verb the port-forward needs is denied on one of the pods.</exception>
    public static async Task CheckAsync(KubeContext kube, IReadOnlyList<string> pods, CancellationToken cancellationToken)
    {
        var verbs = await CreateIsCheckedAsync(kube, cancellationToken) ? new[] { "get", "create" } : ["get"];
        var denied = new List<(string Verb, string Pod)>();
        foreach (var pod in pods)
        {
            foreach (var verb in verbs)
            {
                V1SelfSubjectAccessReview review;
                try
                {
                    review = await kube.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
                    {
                        Spec = new V1SelfSubjectAccessReviewSpec
                        {
                            ResourceAttributes = new V1ResourceAttributes
                            {
                                NamespaceProperty = kube.Namespace,
                                Verb = verb,
                                Resource = "pods",
                                Subresource = "portforward",
                                Name = pod,
                            },
                        },
                    }, cancellationToken: cancellationToken);
                }
                catch (HttpOperationException)
                {
                    // The question itself is not allowed or not served: the port-forward's own answer will tell.
                    return;
                }

                if (review.Status?.Allowed != true)
                {
                    denied.Add((verb, pod));
                }
            }
        }

        if (denied.Count > 0)
        {
            var verbsDenied = string.Join(" or ", denied.Select(d => d.Verb).Distinct());
            var podsDenied = denied.Select(d => d.Pod).Distinct().ToList();
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                $"your account may not {verbsDenied} pods/portforward on pod(s) {string.Join(", ", podsDenied)} in namespace {kube.Namespace} (context {kube.ContextName}); " +
                $"{Needed(kube.Namespace)} (for one pod: kubectl auth can-i {denied[0].Verb} pods/{podsDenied[0]} --subresource=portforward -n {kube.Namespace})");
        }
    }

    private static async Task<bool> CreateIsCheckedAsync(KubeContext kube, CancellationToken cancellationToken)
    {
        try
        {
            var version = await kube.Client.Version.GetCodeAsync(cancellationToken);
            var minor = new string([.. (version.Minor ?? string.Empty).TakeWhile(char.IsDigit)]);
            return version.Major != "1" || !int.TryParse(minor, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number >= 35;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            // Unknown version: ask for both, as the newest servers check both.
            return true;
        }
    }
}
