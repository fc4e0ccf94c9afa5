using Mirrord.Hosting;
using Mirrord.Sidecar.Sessions;

namespace Mirrord.Sidecar.Health;

/// <summary>Liveness, readiness, the app's TCP probe and metrics on the health port only, so an app path of the same name is never shadowed.</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this WebApplication app, int healthPort)
    {
        var host = $"*:{healthPort}";
        app.MapGet("/healthz", () => Results.Text("ok\n")).RequireHost(host);
        app.MapGet("/readyz", (SessionRegistry sessions) => Results.Text($"ready, {sessions.Sessions.Length} sessions\n")).RequireHost(host);
        app.MapGet(Tunnel.SidecarPorts.AppTcpProbePath + "{port:int}", AppTcpProbe.HandleAsync).RequireHost(host);
        app.MapPrometheusMetrics(host);
    }
}
