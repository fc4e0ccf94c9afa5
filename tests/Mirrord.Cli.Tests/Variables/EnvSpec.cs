using k8s.Models;

namespace Mirrord.Cli.Tests.Variables;

/// <summary>Short forms of a container's env entries (the client's models have no constructors).</summary>
internal static class EnvSpec
{
    public static V1EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    public static V1EnvVar Field(string name, string path) => new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    public static V1EnvVar Resource(string name, string resource, string? divisor = null)
        => new() { Name = name, ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) } } };

    public static V1EnvVar SecretKey(string name, string secret, string key, bool? optional = null)
        => new() { Name = name, ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key, Optional = optional } } };

    public static V1EnvFromSource ConfigMap(string name, string? prefix = null, bool? optional = null)
        => new() { ConfigMapRef = new V1ConfigMapEnvSource { Name = name, Optional = optional }, Prefix = prefix };

    public static V1EnvFromSource Secret(string name) => new() { SecretRef = new V1SecretEnvSource { Name = name } };

    public static V1ServicePort Port(int port, string? name = null, string protocol = "TCP") => new() { Port = port, Name = name, Protocol = protocol };
}
