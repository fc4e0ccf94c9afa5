using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mirrord.Hosting;

/// <summary>
/// Exports a program's meters with Kestrel's (connections, TLS handshakes, queues) and the
/// runtime's (GC, heap, thread pool) in the Prometheus text format, through the OpenTelemetry
/// SDK's exporter (docs/METRICS.md says why this one).
/// </summary>
public static class PrometheusMetrics
{
    private static readonly string[] s_platformMeters = ["Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// The SDK allocates every instrument's series up front, 2000 by default: about 5 MB in all, a fifth
    /// of an idle sidecar. The most any of these instruments has is a few dozen (labels from small fixed
    /// sets, ports from the pod's spec); past the limit the SDK reports the rest as one overflow series.
    /// </summary>
    private static readonly MetricStreamConfiguration s_ownStream = new() { CardinalityLimit = SeriesPerInstrument };

    /// <summary>The most label combinations one instrument reports separately.</summary>
    public const int SeriesPerInstrument = 200;

    /// <param name="services">The program's services.</param>
    /// <param name="serviceName">The program, as <c>target_info</c>'s <c>service_name</c>.</param>
    /// <param name="meters">The program's own meters.</param>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, string serviceName, params string[] meters)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter([.. meters, .. s_platformMeters])

                // A scrape shows the counts of that moment: a cached answer would hide what the last request did.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        // The SDK subscribes to meters by name, process-wide. A meter this host's own factory did not make
        // (another host's in the same process: tests run several sidecars in one) is not this host's to report.
        services.ConfigureOpenTelemetryMeterProvider((provider, builder) =>
        {
            var own = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own) ? s_ownStream : MetricStreamConfiguration.Drop);
        });
        return services;
    }

    /// <summary>Serves <c>/metrics</c> on <paramref name="host"/> only (<c>*:port</c>), so an app path of that name is never shadowed.</summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string host)
        => endpoints.MapPrometheusScrapingEndpoint("/metrics").RequireHost(host);
}
