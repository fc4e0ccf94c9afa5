using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// The API client and namespace, resolved as kubectl does: the files in <c>KUBECONFIG</c>
/// (merged) or <c>~/.kube/config</c>, or <c>--kubeconfig</c>; the context from <c>--context</c>
/// or the file's current-context; the namespace from <c>-n</c>, then the config file's target,
/// then the context, then <c>default</c>.
/// </summary>
internal sealed class KubeContext : IDisposable
{
    private KubeContext(IKubernetes client, string @namespace, string contextName)
    {
        Client = client;
        Namespace = @namespace;
        ContextName = contextName;
    }

    public IKubernetes Client { get; }

    public string Namespace { get; }

    public string ContextName { get; }

    public static KubeContext Create(string? kubeconfig, string? context, string? namespaceFlag, string? configNamespace)
    {
        var files = KubeconfigFiles(kubeconfig);
        if (files.Length == 0)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config (or use --sidecar-address to skip Kubernetes)");
        }

        KubernetesClientConfiguration configuration;
        try
        {
            var merged = Merge(files.Select(file => KubernetesClientConfiguration.LoadKubeConfig(file, useRelativePaths: true)).ToList());
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        }
        catch (KubeConfigException ex)
        {
            var where = context is null ? string.Join(", ", files.Select(f => f.FullName)) : $"--context {context}";
            throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"{where}: {ex.Message}", ex);
        }

        var @namespace = namespaceFlag ?? configNamespace ?? configuration.Namespace ?? "default";
        return new KubeContext(new k8s.Kubernetes(configuration), @namespace, configuration.CurrentContext ?? context ?? "(none)");
    }

    private static FileInfo[] KubeconfigFiles(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return File.Exists(kubeconfig)
                ? [new FileInfo(kubeconfig)]
                : throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"--kubeconfig {kubeconfig}: no such file");
        }

        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list)
        {
            return [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).Select(path => new FileInfo(path))];
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return File.Exists(home) ? [new FileInfo(home)] : [];
    }

    /// <summary>kubectl's merge of KUBECONFIG files: the first file to name a cluster, user, context or current-context wins.</summary>
    private static K8SConfiguration Merge(List<K8SConfiguration> configs)
    {
        var merged = configs[0];
        foreach (var next in configs.Skip(1))
        {
            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = [.. merged.Clusters ?? [], .. (next.Clusters ?? []).Where(c => merged.Clusters?.All(m => m.Name != c.Name) != false)];
            merged.Users = [.. merged.Users ?? [], .. (next.Users ?? []).Where(u => merged.Users?.All(m => m.Name != u.Name) != false)];
            merged.Contexts = [.. merged.Contexts ?? [], .. (next.Contexts ?? []).Where(c => merged.Contexts?.All(m => m.Name != c.Name) != false)];
        }

        return merged;
    }

    public void Dispose() => Client.Dispose();
}
