using System.Net;

namespace Mirrord.Cli.Kubernetes;

/// <summary>The API server answered a port-forward or exec upgrade with <paramref name="status"/>; <paramref name="statusMessage"/> is its Status body's message, if it sent one.</summary>
internal sealed class UpgradeRefusedException(HttpStatusCode status, string? statusMessage)
    : Exception($"the API server answered {(int)status}{(statusMessage is null ? string.Empty : ": " + statusMessage)}")
{
    public HttpStatusCode Status { get; } = status;

    public string? StatusMessage { get; } = statusMessage;
}
