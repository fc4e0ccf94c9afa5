using k8s.Models;

namespace Mirrord.Cli.Variables;

/// <summary>
/// What a container's environment is read from besides the pod itself, with the developer's own credentials.
/// A lookup returns null for an object that does not exist, and throws <see cref="EnvironmentSourceForbiddenException"/>
/// for one the developer may not read.
/// </summary>
internal interface IEnvironmentSources
{
    Task<IDictionary<string, string>?> ConfigMapAsync(string name, CancellationToken cancellationToken);

    /// <summary>The Secret's data, decoded.</summary>
    Task<IDictionary<string, string>?> SecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>The Services the kubelet makes link variables of: the pod's namespace's, and the <c>kubernetes</c> Service of <c>default</c>.</summary>
    Task<IReadOnlyList<V1Service>> ServicesAsync(bool includeNamespace, CancellationToken cancellationToken);
}

/// <summary>The developer may not read an object the environment names: <see cref="Exception.Message"/> says which, with the <c>kubectl auth can-i</c> that would allow it.</summary>
internal sealed class EnvironmentSourceForbiddenException(string message) : Exception(message);
