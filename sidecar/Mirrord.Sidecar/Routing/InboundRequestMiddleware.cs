using Mirrord.Sidecar.Listeners;

namespace Mirrord.Sidecar.Routing;

/// <summary>
/// The hop from Kestrel into the router: a request that came in on an inbound connection (its
/// container port known from the redirect or the direct listener) is the router's to decide; any
/// other (the health port's) goes on to the endpoints.
/// </summary>
internal sealed class InboundRequestMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RequestRouter _router;

    public InboundRequestMiddleware(RequestDelegate next, RequestRouter router)
    {
        _next = next;
        _router = router;
    }

    public Task InvokeAsync(HttpContext context)
        => InboundConnection.ContainerPortOf(context) is { } port ? _router.RouteAsync(context, port) : _next(context);
}
