using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Mirrord.Injection;
using Mirrord.Webhook.Admission;
using Mirrord.Webhook.Certificates;
using Mirrord.Webhook.Health;

namespace Mirrord.Webhook.Hosting;

/// <summary>
/// Builds the webhook: HTTPS on <see cref="WebhookOptions.Port"/> with the reloadable certificate
/// (<c>/mutate</c> and probes), plain HTTP on <see cref="WebhookOptions.MetricsPort"/> (metrics and probes).
/// </summary>
public static class WebhookApplication
{
    /// <param name="args">Command-line configuration overrides (<c>--Webhook:Port=8443</c>).</param>
    /// <param name="configure">Lets a host (tests, benchmarks) adjust configuration and logging before the app is built.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddEnvironmentVariables("MIRRORD_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        configure?.Invoke(builder);

        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        builder.Services.AddOptions<InjectionOptions>().BindConfiguration(InjectionOptions.SectionName)
            .PostConfigure(options => options.OwnNamespace ??= Environment.GetEnvironmentVariable("POD_NAMESPACE"));
        builder.Services.AddSingleton<CertificateReloader>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<MutationHandler>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var certificates = kestrel.ApplicationServices.GetRequiredService<CertificateReloader>();
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxReviewBytes;
            kestrel.ListenAnyIP(options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificates.Current);
            });
            kestrel.ListenAnyIP(options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        var mutation = app.Services.GetRequiredService<MutationHandler>();
        var metrics = app.Services.GetRequiredService<WebhookMetrics>();
        var webhook = app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        app.MapPost("/mutate", mutation.HandleAsync).RequireHost($"*:{webhook.Port}");
        app.MapGet("/healthz", () => "ok\n");
        app.MapGet("/readyz", () => "ok\n");
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4")).RequireHost($"*:{webhook.MetricsPort}");
        app.Lifetime.ApplicationStarted.Register(() => StartupLog.Started(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mirrord.Webhook"), webhook.Port, webhook.MetricsPort,
            app.Services.GetRequiredService<IOptions<InjectionOptions>>().Value.SidecarImage));
        return app;
    }
}
