using System.Text.Json.Nodes;

namespace Mirrord.Demo;

/// <summary>
/// A pod for <see cref="NamespacePod"/>: the pod as the injector left it, which of its containers
/// is the app and what that runs here, and who runs the containers that are neither the app nor
/// ours (a service mesh's, in tests). Init containers run in the spec's order, then the containers.
/// </summary>
internal sealed record PodLayout(JsonObject Pod, string AppContainer, string[] AppCommand, IReadOnlyList<int> AppPorts)
{
    public IForeignContainers? Foreign { get; init; }

    /// <summary>
    /// Where each Secret the pod mounts lives on this machine (Secret name → folder), laid out as the
    /// kubelet projects a Secret volume; a container's mount path in its environment is read as that folder.
    /// </summary>
    public IReadOnlyDictionary<string, string> SecretFolders { get; init; } = new Dictionary<string, string>();

    /// <summary>The pod's resolv.conf (the kubelet writes one from the cluster's DNS settings), or null to keep this machine's.</summary>
    public string? ResolvConf { get; init; }
}

/// <summary>Runs the containers of a pod that the project does not own.</summary>
internal interface IForeignContainers
{
    /// <summary>Before any init container: what a CNI plugin does when the pod's sandbox is made.</summary>
    Task PrepareAsync(NamespacePod pod, CancellationToken cancellationToken);

    /// <summary>Runs an init container to completion, or starts a native sidecar or a container and returns once it serves.</summary>
    Task RunAsync(NamespacePod pod, JsonObject container, CancellationToken cancellationToken);
}
