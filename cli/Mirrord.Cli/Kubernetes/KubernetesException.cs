namespace Mirrord.Cli.Kubernetes;

/// <summary>A Kubernetes problem the developer must act on; the message says what and where, the code how the CLI exits.</summary>
internal sealed class KubernetesException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
