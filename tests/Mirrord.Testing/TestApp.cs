using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mirrord.Testing;

/// <summary>
/// A real Kestrel app standing in for a container (or for the developer's local process): an
/// HTTP/1.1 port and an h2c port serving the same routes plus a gRPC service. Every answer says
/// who served it (<c>x-served-by</c>), and every request is recorded.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, string name, int httpPort, int grpcPort, int tlsPort)
    {
        _app = app;
        Name = name;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        TlsPort = tlsPort;
    }

    public string Name { get; }

    /// <summary>HTTP/1.1 only, like most REST containers.</summary>
    public int HttpPort { get; }

    /// <summary>HTTP/2 with prior knowledge: gRPC and h2c.</summary>
    public int GrpcPort { get; }

    /// <summary>HTTPS (HTTP/1.1 and HTTP/2 by ALPN, gRPC too) when started with <see cref="TestAppTls"/>; else 0.</summary>
    public int TlsPort { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Requests to <c>/hold</c> wait here until the test completes this, as at a breakpoint.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HoldReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts on loopback, any free ports; <paramref name="http2StreamsPerConnection"/> is the app's HTTP/2 stream limit per connection (Kestrel's default is 100).</summary>
    public static Task<TestApp> StartAsync(string name, TestAppTls? tls = null, int http2StreamsPerConnection = 100)
        => StartAsync(name, IPAddress.Loopback, 0, 0, tls, http2StreamsPerConnection: http2StreamsPerConnection);

    /// <summary>Starts on the given address and ports (0: any free port), e.g. every address of a pod's network namespace.</summary>
    public static async Task<TestApp> StartAsync(
        string name, IPAddress address, int httpPort, int grpcPort, TestAppTls? tls = null, int tlsPort = 0, int http2StreamsPerConnection = 100)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = http2StreamsPerConnection;
            kestrel.Listen(address, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            if (tls is not null)
            {
                kestrel.Listen(address, tlsPort, listen =>
                {
                    listen.Protocols = tls.Protocols;
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificateSelector = (_, _) => tls.Certificate();
                        https.ClientCertificateMode = tls.ClientCertificates;
                        https.ClientCertificateValidation = (certificate, _, _) => tls.AcceptClient?.Invoke(certificate) ?? true;
                    });
                });
            }
        });

        var app = builder.Build();
        TestApp? self = null;
        app.Use(async (context, next) =>
        {
            self!.Requests.Enqueue(new RecordedRequest(
                context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Protocol,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            context.Response.Headers["x-served-by"] = name;
            if (context.Request.IsHttps)
            {
                // What the app saw of the TLS it terminated: the caller's client certificate, if any.
                context.Response.Headers["x-client-certificate"] = context.Connection.ClientCertificate?.Subject ?? "none";
            }

            await next(context);
        });
        app.UseWebSockets();
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<HealthService>();
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                var reply = System.Text.Encoding.UTF8.GetBytes($"{name}: {System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count)}");
                await socket.SendAsync(reply, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            }
        });
        app.MapGet("/whoami", () => $"{name}\n");
        app.MapPost("/echo", async (HttpContext context) =>
        {
            context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
            await context.Request.Body.CopyToAsync(context.Response.Body);
        });
        // Reads the whole body and throws it away: a large upload costs the app nothing to answer.
        app.MapPost("/sink", async (HttpContext context) =>
        {
            var read = 0L;
            var buffer = new byte[64 * 1024];
            for (int n; (n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0;)
            {
                read += n;
            }

            return $"{name} read {read}\n";
        });
        // An answer with one response header of the given size.
        app.MapGet("/big-header/{size:int}", (int size, HttpContext context) =>
        {
            context.Response.Headers["x-big"] = new string('r', size);
            return $"{name}\n";
        });
        app.MapGet("/headers", (HttpContext context) => context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()));
        app.MapGet("/hold", async () =>
        {
            self!.HoldReached.TrySetResult();
            await self.Release.Task;
            return $"{name} released\n";
        });
        // A long poll: answers after the given number of seconds with nothing sent before.
        app.MapGet("/wait/{seconds:int}", async (int seconds, HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), context.RequestAborted);
            return $"{name} waited {seconds} s\n";
        });
        app.MapGet("/bytes/{count:int}", (int count) => Results.Bytes(Payload(count), "application/octet-stream"));
        app.MapGet("/status/{code:int}", (int code) => Results.Text($"{name} says {code}\n", statusCode: code));

        await app.StartAsync();
        var ports = app.Urls.Select(url => new Uri(url).Port).ToList();
        self = new TestApp(app, name, ports[0], ports[1], tls is null ? 0 : ports[2]);
        EchoService.ServedBy[ports[1]] = name;
        if (tls is not null)
        {
            EchoService.ServedBy[ports[2]] = name;
        }

        return self;
    }

    /// <summary>Deterministic bytes, so a test can compare a large body end to end.</summary>
    public static byte[] Payload(int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)(i * 31 % 251);
        }

        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        Release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Protocol, IReadOnlyDictionary<string, string> Headers);

/// <summary>The app's own TLS: it terminates TLS itself with <see cref="Certificate"/> (read per handshake, so a test can rotate it).</summary>
public sealed record TestAppTls(Func<System.Security.Cryptography.X509Certificates.X509Certificate2> Certificate)
{
    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http1AndHttp2;

    public Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode ClientCertificates { get; init; } = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate;

    public Func<System.Security.Cryptography.X509Certificates.X509Certificate2, bool>? AcceptClient { get; init; }
}
