using System.Net;
using k8s;
using k8s.Exceptions;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// The API client and namespace, resolved as kubectl does: the files in <c>KUBECONFIG</c>
/// (merged) or <c>~/.kube/config</c>, or <c>--kubeconfig</c>; the context from <c>--context</c>
/// or the file's current-context; the namespace from <c>-n</c>, then the config file's target,
/// then the context, then <c>default</c>. What the client library leaves out is added here:
/// <c>proxy-url</c>, impersonation (<c>as</c>, <c>as-groups</c>, <c>as-user-extra</c>), exec-plugin
/// arguments with spaces; what it cannot do (legacy <c>auth-provider</c> entries) is an error that
/// names the field.
/// </summary>
internal sealed class KubeContext : IDisposable
{
    private KubeContext(k8s.Kubernetes client, string @namespace, string contextName, string? tlsServerName, string? userName)
    {
        Client = client;
        Namespace = @namespace;
        ContextName = contextName;
        TlsServerName = tlsServerName;
        UserName = userName;
    }

    /// <summary>The kubeconfig user of the context (its name in the file: what the developer calls themselves, not what the API server authenticates).</summary>
    public string? UserName { get; }

    /// <summary>Who is connecting, as sessions and their Events declare it.</summary>
    public Tunnel.Protocol.SessionOwner Owner => new(UserName, ContextName, Environment.UserName);

    public k8s.Kubernetes Client { get; }

    public string Namespace { get; }

    public string ContextName { get; }

    /// <summary>The cluster's <c>tls-server-name</c>: the SNI and certificate name of every connection, port-forwards included.</summary>
    public string? TlsServerName { get; }

    public static KubeContext Create(string? kubeconfig, string? context, string? namespaceFlag, string? configNamespace)
    {
        var (files, source) = KubeconfigPaths(kubeconfig);
        if (files.Length == 0)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config (or use --sidecar-address to skip Kubernetes)");
        }

        var loaded = KubeconfigFiles.Load(files, source);
        var contextName = context ?? loaded.Merged.CurrentContext;
        var where = context is null ? $"{loaded.Describe}: context {contextName ?? "(current-context not set)"}" : $"--context {context}";
        var details = loaded.Merged.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails;
        var user = loaded.Merged.Users?.FirstOrDefault(u => u.Name == details?.User);
        if (user?.UserCredentials is { } credentials)
        {
            LegacyAuthProvider.ThrowIfUnsupported(credentials, user.Name, where);
            ExecArguments.QuoteForProcessStart(credentials.ExternalExecution);
        }

        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(loaded.Merged, context);
        }
        catch (KubeConfigException ex)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"{where}: {ex.Message}", ex);
        }

        if (details?.Cluster is { } cluster && loaded.ProxyUrls.TryGetValue(cluster, out var proxy))
        {
            configuration.FirstMessageHandlerSetup = handler =>
            {
                handler.Proxy = new WebProxy(proxy);
                handler.UseProxy = true;
            };
        }

        DelegatingHandler[] handlers = Impersonation.From(user?.UserCredentials, user?.Name ?? "(none)", where) is { } impersonation ? [new ImpersonationHandler(impersonation)] : [];
        var @namespace = namespaceFlag ?? configNamespace ?? configuration.Namespace ?? "default";
        return new KubeContext(new k8s.Kubernetes(configuration, handlers), @namespace, configuration.CurrentContext ?? context ?? "(none)", configuration.TlsServerName, user?.Name);
    }

    private static (FileInfo[] Files, string Source) KubeconfigPaths(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return File.Exists(kubeconfig)
                ? ([new FileInfo(kubeconfig)], "--kubeconfig")
                : throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"--kubeconfig {kubeconfig}: no such file");
        }

        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list)
        {
            return ([.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).Select(path => new FileInfo(path))], "KUBECONFIG");
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return (File.Exists(home) ? [new FileInfo(home)] : [], "kubeconfig");
    }

    public void Dispose() => Client.Dispose();
}
