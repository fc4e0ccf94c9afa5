using k8s.KubeConfigModels;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// kubeconfig's <c>as</c>, <c>as-groups</c> and <c>as-user-extra</c>: whom every request acts as.
/// The API server takes one group per <c>Impersonate-Group</c> header line
/// (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go), while .NET's HTTP client
/// joins the values of a repeated header into one line, which would read as a single group named
/// "a, b": so more than one group is an error rather than a silent change of identity.
/// </summary>
internal sealed record Impersonation(string? User, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, string> Extra)
{
    public static Impersonation? From(UserCredentials? credentials, string userName, string where)
    {
        var groups = credentials?.ImpersonateGroups?.Where(g => !string.IsNullOrEmpty(g)).ToList() ?? [];
        if (groups.Count > 1)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                $"{where}: user {userName}: as-groups lists {groups.Count} groups ({string.Join(", ", groups)}); mirrord-cli can impersonate one group only (use kubectl-style --as-group once, or bind the roles to one group)");
        }

        var extra = credentials?.ImpersonateUserExtra ?? [];
        var user = string.IsNullOrEmpty(credentials?.Impersonate) ? null : credentials.Impersonate;
        return user is null && groups.Count == 0 && extra.Count == 0 ? null : new Impersonation(user, groups, extra);
    }

    /// <summary>The request headers the API server reads impersonation from (<c>Impersonate-User</c>, <c>-Group</c>, <c>-Extra-*</c>).</summary>
    public void Apply(HttpRequestMessage request)
    {
        if (User is not null)
        {
            request.Headers.TryAddWithoutValidation("Impersonate-User", User);
        }

        foreach (var group in Groups)
        {
            request.Headers.TryAddWithoutValidation("Impersonate-Group", group);
        }

        foreach (var (key, value) in Extra)
        {
            request.Headers.TryAddWithoutValidation($"Impersonate-Extra-{Uri.EscapeDataString(key)}", value);
        }
    }
}
