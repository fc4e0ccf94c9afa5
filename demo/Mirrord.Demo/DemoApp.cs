using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mirrord.Demo;

/// <summary>The demo's stand-in for a service: answers every request saying who it is (<c>x-served-by</c>).</summary>
internal static class DemoApp
{
    public static async Task<WebApplication> StartAsync(string name, IPAddress address, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.Headers["x-served-by"] = name;
            await context.Response.WriteAsync($"{name} answered {context.Request.Method} {context.Request.Path}\n", context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The bound port (when started on port 0).</summary>
    public static int PortOf(WebApplication app) => new Uri(app.Urls.First()).Port;
}
