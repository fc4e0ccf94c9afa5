using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirrord.Hosting;
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
    /// <summary>Builds the webhook, bootstraps its certificate when it manages its own, and runs it until stopped.</summary>
    public static async Task RunAsync(string[] args)
    {
        var app = Build(args);
        await PrepareAsync(app, CancellationToken.None);
        await app.RunAsync();
    }

    /// <summary>What must happen before the webhook listens: the certificate (made first with <see cref="CertificateMode.SelfManaged"/>).</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        if (options.CertificateMode == CertificateMode.SelfManaged)
        {
            await BootstrapCertificateAsync(app, options, cancellationToken);
        }

        // Load the certificate now, so that a missing or broken one stops the start with its setting named.
        _ = app.Services.GetRequiredService<CertificateReloader>().Current;
    }

    private static async Task BootstrapCertificateAsync(WebApplication app, WebhookOptions options, CancellationToken cancellationToken)
    {
        var bootstrapper = app.Services.GetRequiredService<CertificateBootstrapper>();
        using var client = bootstrapper.CreateClient();
        await bootstrapper.EnsureAsync(client, cancellationToken);
    }

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
        builder.Services.AddOptions<InjectionOptions>()
            // What is set here lands in every injected pod: a misspelt setting is an error, not a silent default.
            .BindConfiguration(InjectionOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .PostConfigure(options => options.OwnNamespace ??= Environment.GetEnvironmentVariable("POD_NAMESPACE"))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<InjectionOptions>, InjectionOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KubernetesClientFactory>();
        builder.Services.AddSingleton<NamespaceReader>();
        builder.Services.AddSingleton<CertificateReloader>();
        builder.Services.AddSingleton<CertificateBootstrapper>();
        builder.Services.AddHostedService<CertificateRenewal>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddPrometheusMetrics("mirrord-webhook", WebhookMetrics.MeterName);
        builder.Services.AddSingleton<MutationHandler>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<WebhookOptions>>().Value;
            var services = kestrel.ApplicationServices;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxReviewBytes;
            kestrel.ListenAnyIP(options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Resolved per handshake: the certificate may only exist once PrepareAsync has run.
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => services.GetRequiredService<CertificateReloader>().Current);
            });
            kestrel.ListenAnyIP(options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        var mutation = app.Services.GetRequiredService<MutationHandler>();
        var webhook = app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        app.MapPost("/mutate", mutation.HandleAsync).RequireHost($"*:{webhook.Port}");
        app.MapGet("/healthz", () => "ok\n");
        app.MapGet("/readyz", () => "ok\n");
        app.MapPrometheusMetrics($"*:{webhook.MetricsPort}");
        app.Lifetime.ApplicationStarted.Register(() => StartupLog.Started(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mirrord.Webhook"), webhook.Port, webhook.MetricsPort,
            app.Services.GetRequiredService<IOptions<InjectionOptions>>().Value.SidecarImage));
        return app;
    }
}
