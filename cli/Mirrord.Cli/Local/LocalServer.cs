using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Mirrord.Cli.Output;
using Mirrord.Tunnel.Settings;

namespace Mirrord.Cli.Local;

/// <summary>
/// The laptop end of the tunnels: a Kestrel server whose "listener" is the set of tunnel
/// connections this process dialled, speaking HTTP/2 (the sidecar is the client), delivering each
/// request to the local process.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app)
    {
        _app = app;
        Connections = app.Services.GetRequiredService<TunnelConnectionSource>();
    }

    public TunnelConnectionSource Connections { get; }

    public static async Task<LocalServer> StartAsync(LocalTarget target, Reporter reporter, Action<ILoggingBuilder> logging, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging(builder.Logging);

        // Kestrel reports a tunnel closing under a write as an error; to the developer it is just the session ending.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.None);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(target);
        builder.Services.AddSingleton(reporter);
        builder.Services.AddSingleton<TunnelConnectionSource>();
        builder.Services.AddSingleton<LocalDelivery>();
        builder.Services.AddSingleton<IConnectionListenerFactory, TunnelConnectionListenerFactory>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;

            // The sidecar already held the caller to the pod's limits; whatever it sends down the tunnel must arrive (HeaderLimits).
            kestrel.Limits.MaxRequestHeadersTotalSize = HeaderLimits.RequestHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = HeaderLimits.RequestHeaderCount;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = HeaderLimits.RequestHeaderBytes;
            // Tunnel connections stay open while the session lives; the sidecar pings them.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromDays(1);
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(15);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
            kestrel.Listen(TunnelEndPoint.Instance, listen => listen.Protocols = HttpProtocols.Http2);
        });

        var app = builder.Build();
        var delivery = app.Services.GetRequiredService<LocalDelivery>();
        app.Run(delivery.DeliverAsync);
        await app.StartAsync(cancellationToken);
        return new LocalServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2));
        await _app.DisposeAsync();
    }
}
