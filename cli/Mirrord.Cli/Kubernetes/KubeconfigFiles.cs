using System.Text.Json.Nodes;
using k8s;
using k8s.KubeConfigModels;
using Mirrord.Cli.Manifests;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// Reads and merges kubeconfig files as kubectl does (client-go's loader.go): an empty file counts
/// as an empty config; the first file to name a cluster, user, context or current-context wins;
/// relative paths are relative to the file they are written in, so each file's are made absolute
/// before the merge. Also keeps the fields the client library's model drops (<c>proxy-url</c>).
/// </summary>
internal sealed class KubeconfigFiles
{
    private KubeconfigFiles(K8SConfiguration merged, IReadOnlyDictionary<string, Uri> proxies, string describe)
    {
        Merged = merged;
        ProxyUrls = proxies;
        Describe = describe;
    }

    public K8SConfiguration Merged { get; }

    /// <summary><c>proxy-url</c> by cluster name.</summary>
    public IReadOnlyDictionary<string, Uri> ProxyUrls { get; }

    /// <summary>The files, for messages.</summary>
    public string Describe { get; }

    public static KubeconfigFiles Load(IReadOnlyList<FileInfo> files, string flagOrVariable)
    {
        var configs = new List<K8SConfiguration>();
        var proxies = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file.FullName);
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            K8SConfiguration? config;
            JsonNode? raw;
            try
            {
                config = KubernetesYaml.Deserialize<K8SConfiguration>(text);
                var stream = new YamlStream();
                stream.Load(new StringReader(text));
                raw = stream.Documents.Count == 0 ? null : YamlJson.ToJson(stream.Documents[0].RootNode);
            }
            catch (YamlException ex)
            {
                throw new KubernetesException(ExitCodes.KubernetesUnavailable, $"{flagOrVariable} {file.FullName}: not a kubeconfig (YAML error at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message})", ex);
            }

            if (config is null)
            {
                continue;
            }

            MakePathsAbsolute(config, file.Directory!.FullName);
            foreach (var cluster in raw?["clusters"]?.AsArray() ?? [])
            {
                if (cluster?["name"]?.GetValue<string>() is { } name && cluster["cluster"]?["proxy-url"]?.GetValue<string>() is { } proxy && !proxies.ContainsKey(name))
                {
                    proxies[name] = Uri.TryCreate(proxy, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "socks5"
                        ? uri
                        : throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                            $"{flagOrVariable} {file.FullName}: cluster {name}: proxy-url \"{proxy}\" is not an http, https or socks5 URL");
                }
            }

            configs.Add(config);
        }

        var describe = $"{flagOrVariable} {string.Join(", ", files.Select(f => f.FullName))}";
        if (configs.Count == 0)
        {
            throw new KubernetesException(ExitCodes.KubernetesUnavailable,
                $"{describe}: empty; it names no cluster, user or context (run your cluster's login command, or point --kubeconfig at a kubeconfig)");
        }

        return new KubeconfigFiles(Merge(configs), proxies, describe);
    }

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

    private static void MakePathsAbsolute(K8SConfiguration config, string directory)
    {
        foreach (var endpoint in (config.Clusters ?? []).Select(c => c.ClusterEndpoint).OfType<ClusterEndpoint>())
        {
            endpoint.CertificateAuthority = Absolute(endpoint.CertificateAuthority, directory);
        }

        foreach (var user in (config.Users ?? []).Select(u => u.UserCredentials).OfType<UserCredentials>())
        {
            user.ClientCertificate = Absolute(user.ClientCertificate, directory);
            user.ClientKey = Absolute(user.ClientKey, directory);

            // A command with a path in it is relative to the file; a bare name is looked up on PATH.
            if (user.ExternalExecution is { Command: { } command } exec && command.Contains('/', StringComparison.Ordinal))
            {
                exec.Command = Absolute(command, directory);
            }
        }
    }

    private static string Absolute(string path, string directory)
        => string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
}
