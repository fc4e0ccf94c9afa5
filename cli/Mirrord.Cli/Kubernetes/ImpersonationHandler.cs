namespace Mirrord.Cli.Kubernetes;

/// <summary>Puts the impersonation headers on every request of the API client, port-forward upgrades included.</summary>
internal sealed class ImpersonationHandler(Impersonation impersonation) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        impersonation.Apply(request);
        return base.SendAsync(request, cancellationToken);
    }
}
