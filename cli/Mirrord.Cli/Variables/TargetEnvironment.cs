using k8s.Models;
using Mirrord.Cli.Kubernetes;
using Mirrord.Incoming.Variables;

namespace Mirrord.Cli.Variables;

/// <summary>
/// The environment the developer's command gets (<c>mirrord-cli env</c>, <c>exec</c>): the target container's variables
/// as the kubelet resolves them (<see cref="ContainerEnvironment"/>, read with the developer's credentials from the
/// first ready pod of the target), then <c>feature.env</c> applied as mirrord applies it (<see cref="EnvConfig"/>).
/// The container is the one <c>kubectl.kubernetes.io/default-container</c> names, else the pod's first.
/// </summary>
internal static class TargetEnvironment
{
    public static async Task<(IReadOnlyDictionary<string, string> Variables, IReadOnlyList<string> Problems, string Source)> ReadAsync(
        KubeContext? kube, TargetReference? target, EnvConfig config, CancellationToken cancellationToken)
    {
        IEnumerable<KeyValuePair<string, string>> remote = [];
        IReadOnlyList<string> problems = [];
        var source = "no target (only feature.env's env_file and override)";
        if (kube is not null && target is not null && config.Enabled)
        {
            var selector = await TargetResolver.ResolveAsync(kube, target, cancellationToken);
            var pods = await new TargetPodWatcher(kube, selector).ListReadyAsync(cancellationToken);
            var pod = (pods.Count > 0 ? pods[0] : null) ?? throw new KubernetesException(ExitCodes.TargetNotFound, $"{target} has no ready pods in namespace {kube.Namespace}");
            var container = Container(pod);
            (var variables, problems) = await ContainerEnvironment.ResolveAsync(pod, container, new KubeEnvironmentSources(kube, pod.Namespace()), cancellationToken);
            remote = variables;
            source = $"container {container} of pod {pod.Name()} ({target}, namespace {pod.Namespace()})";
        }

        var fromFile = new List<KeyValuePair<string, string>>();
        if (config.EnvFile is { } file)
        {
            try
            {
                fromFile = DotEnv.Parse(await File.ReadAllTextAsync(file, cancellationToken));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new EnvironmentFileException($"feature.env.env_file {file}: {ex.Message}");
            }
        }

        return (config.Compose(remote, fromFile), problems, source);
    }

    private static string Container(V1Pod pod)
        => pod.Metadata.Annotations?.TryGetValue("kubectl.kubernetes.io/default-container", out var named) == true && pod.Spec.Containers.Any(c => c.Name == named)
            ? named
            : pod.Spec.Containers[0].Name;
}

/// <summary>The env file cannot be read or parsed; the message names the setting and the line.</summary>
internal sealed class EnvironmentFileException(string message) : Exception(message);
