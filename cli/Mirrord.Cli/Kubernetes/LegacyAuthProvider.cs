using k8s.KubeConfigModels;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// kubeconfig's <c>auth-provider</c> entries, which kubectl dropped for exec credential plugins in
/// 1.26. Only <c>oidc</c> with an id-token is still served (by the client library); the others are
/// an error naming the user, the context and the plugin that replaces them.
/// </summary>
internal static class LegacyAuthProvider
{
    public static void ThrowIfUnsupported(UserCredentials credentials, string user, string where)
    {
        if (credentials.AuthProvider is not { } provider)
        {
            return;
        }

        var replacement = provider.Name switch
        {
            "oidc" when provider.Config?.ContainsKey("id-token") == true => null,
            "oidc" => "the oidc-login (kubelogin) exec plugin, or log in again so that the entry has an id-token",
            "gcp" => "the gke-gcloud-auth-plugin exec plugin (gcloud container clusters get-credentials writes it)",
            "azure" => "the kubelogin exec plugin (az aks get-credentials, then kubelogin convert-kubeconfig)",
            _ => "an exec credential plugin from your cluster's provider",
        };
        if (replacement is not null)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                $"{where}: user {user}: auth-provider \"{provider.Name}\" is not supported (kubectl dropped auth-provider in 1.26); use {replacement}");
        }
    }
}
