using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirrord.Hosting;
using Mirrord.Sidecar.Forwarding;
using Mirrord.Sidecar.Health;
using Mirrord.Sidecar.Listeners;
using Mirrord.Sidecar.RawTcp;
using Mirrord.Sidecar.Routing;
using Mirrord.Sidecar.Sessions;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Sidecar.Hosting;

/// <summary>
/// Builds the sidecar: Kestrel endpoints (inbound with protocol sniffing, direct listeners, the
/// loopback session endpoint, health), the services, and the request pipeline.
/// </summary>
public static class SidecarApplication
{
    /// <summary>Names a JSON file with a <c>Sidecar</c> section, read before the environment variables.</summary>
    public const string ConfigFileVariable = "MIRRORD_CONFIG_FILE";

    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Sidecar:InterceptedPorts=8080</c>).</param>
    /// <param name="configure">Lets a host (tests, the demo) adjust configuration and logging before the app is built.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // The webhook hands settings over as environment variables, or as a JSON file it mounts; variables win.
        if (Environment.GetEnvironmentVariable(ConfigFileVariable) is { Length: > 0 } file)
        {
            builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables("MIRRORD_");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Any level enabled here makes hosting start an Activity per request for log scopes: a few per cent of a proxy's CPU.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);

        // Every forwarding error is logged by the router with its reason (routine ones, callers hanging up, at
        // debug); YARP's own warning for the same event, stack trace included, would say it twice and louder.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);
        configure?.Invoke(builder);

        builder.Services.AddOptions<SidecarOptions>().BindConfiguration(SidecarOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SidecarOptions>, SidecarOptionsValidator>();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<SidecarOptions>>((host, sidecar) => host.ShutdownTimeout = sidecar.Value.DrainTimeout);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<Routing.ProbeGuard>();
        builder.Services.AddSingleton<SidecarMetrics>();
        builder.Services.AddPrometheusMetrics("mirrord-sidecar", SidecarMetrics.MeterName, Incoming.Filtering.FilterMetrics.MeterName);
        builder.Services.TryAddSingleton(services => new Audit.AuditTrail(Console.Out, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<Tls.AppCertificates>();
        builder.Services.AddSingleton<Tls.AppTlsProbe>();
        builder.Services.AddSingleton<AppInvoker>();
        builder.Services.AddSingleton<TcpRelay>();
        builder.Services.AddSingleton<MirrorSender>();
        builder.Services.AddSingleton<BufferBudget>();
        builder.Services.AddSingleton<RequestRouter>();
        builder.Services.AddSingleton<Outgoing.OutgoingConnections>();
        builder.Services.AddSingleton<SessionEndpointHandler>();
        builder.Services.AddSingleton<AdminEndpointHandler>();

        // The socket transport buffers what a caller sends until the pipeline reads it, 1 MiB per connection by
        // default whatever Kestrel's own MaxRequestBufferSize says; under load the sidecar reads slower than
        // callers send, and 80 uploading callers then hold 50 MiB in Kestrel's pinned pool (Load/MemoryBudgetTests).
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxReadBufferSize = RequestBufferBytes;
            sockets.MaxWriteBufferSize = RequestBufferBytes;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<SidecarOptions>>().Value;
            var services = kestrel.ApplicationServices;

            // Transparent proxy: no Server header of our own.
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, options.Limits);
            // Sniffed HTTP/2 connections carry "http" in :scheme although Kestrel sees a (fake) TLS feature.
            kestrel.AllowAlternateSchemes = true;

            kestrel.ListenAnyIP(options.InboundPort, listen => UseInbound(listen, services, containerPort: null));
            foreach (var (listenPort, containerPort) in options.DirectListenerList)
            {
                kestrel.Listen(IPAddress.Loopback, listenPort, listen => UseInbound(listen, services, containerPort));
            }

            kestrel.Listen(IPAddress.Loopback, options.SessionPort, listen => listen.UseConnectionHandler<SessionEndpointHandler>());
            if (AdminSocketReady(options.AdminSocket))
            {
                kestrel.ListenUnixSocket(options.AdminSocket, listen => listen.UseConnectionHandler<AdminEndpointHandler>());
            }
            kestrel.ListenAnyIP(options.HealthPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        app.UseMiddleware<InboundRequestMiddleware>();
        app.UseRouting();
        var options = app.Services.GetRequiredService<IOptions<SidecarOptions>>().Value;
        app.MapHealthEndpoints(options.HealthPort);
        app.Lifetime.ApplicationStarted.Register(() => StartupLog.Listening(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mirrord.Sidecar"),
            options.PodName.Length > 0 ? $"{options.PodNamespace}/{options.PodName}" : "(no pod name)", options.InboundPort, options.InterceptedPorts, options.SessionPort, options.HealthPort));
        app.Lifetime.ApplicationStarted.Register(RuntimeTuning.ReleaseStartupGarbage);
        return app;
    }

    /// <summary>
    /// Whether the administration socket can be listened on: its folder exists (the injected volume), and a socket
    /// file a killed sidecar left behind in it is removed first (binding over it would fail).
    /// </summary>
    private static bool AdminSocketReady(string path)
    {
        if (path.Length == 0 || Path.GetDirectoryName(path) is not { } folder || !Directory.Exists(folder))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private static void ApplyLimits(KestrelServerLimits kestrel, HttpLimitsOptions limits)
    {
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize;
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        kestrel.Http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
        kestrel.Http2.MaxRequestHeaderFieldSize = limits.Http2MaxRequestHeaderFieldSize;
        kestrel.MaxConcurrentConnections = limits.MaxConcurrentConnections;

        // What a caller may have in flight toward the sidecar before back-pressure reaches it. A proxy
        // passes bodies on as they come, so it needs no deep buffer: Kestrel's defaults (1 MiB per HTTP/1.1
        // connection, a 1 MiB HTTP/2 connection window) are what fill a 96 MiB container when many callers
        // upload at once (Load/MemoryBudgetTests). Loopback to the app drains these faster than they fill.
        kestrel.MaxRequestBufferSize = RequestBufferBytes;
        kestrel.Http2.InitialConnectionWindowSize = Http2ConnectionWindowBytes;
        kestrel.Http2.InitialStreamWindowSize = Http2StreamWindowBytes;
    }

    internal const int RequestBufferBytes = 64 * 1024;
    internal const int Http2ConnectionWindowBytes = 256 * 1024;
    internal const int Http2StreamWindowBytes = 128 * 1024;

    private static void UseInbound(ListenOptions listen, IServiceProvider services, int? containerPort)
    {
        // Kestrel's default protocols include HTTP/2, which a sniffed prior-knowledge connection needs. Setting
        // them explicitly would only add a warning at start that HTTP/2 needs TLS, untrue here (ProtocolSniffer).
        listen.Use(next => new InboundConnectionMiddleware(next, containerPort, services).OnConnectedAsync);
    }
}
