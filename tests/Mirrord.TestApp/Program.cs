using System.Globalization;
using System.Net;
using Mirrord.Testing;
using Mirrord.Testing.Mesh;

// Mirrord.TestApp NAME HTTP_PORT GRPC_PORT TCP_PORT [TLS_PORT CERT_PEM KEY_PEM]: serves on every address until stopped;
//   with TLS_PORT, HTTPS there too (HTTP/1.1 and HTTP/2 by ALPN), terminated by the app with that certificate.
// Mirrord.TestApp mesh-proxy istio|linkerd --cert PEM --key PEM --pod-ip IP [--strict] [--h2-ports P,...]:
//   the STAND-IN mesh proxy (MeshProxyStandIn), with ISTIO_KUBE_APP_PROBERS from the environment as pilot-agent reads it.
var stopping = new TaskCompletionSource();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => stopping.TrySetResult());
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.TrySetResult();
};

// Mirrord.TestApp fetch URL: a .NET program's HttpClient with the default proxy settings (HTTP_PROXY, HTTPS_PROXY,
// ALL_PROXY, NO_PROXY from the environment); prints the status and who served it.
if (args is ["fetch", var url])
{
    using var client = new HttpClient();
    using var response = await client.GetAsync(new Uri(url));
    Console.WriteLine($"{(int)response.StatusCode} served by {(response.Headers.TryGetValues("x-served-by", out var by) ? string.Join(",", by) : "-")}");
    return;
}

if (args is ["mesh-proxy", var mesh, .. var flags])
{
    string Flag(string name) => flags.SkipWhile(f => f != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"mesh-proxy needs {name}");
    var http2 = flags.Contains("--h2-ports") ? Flag("--h2-ports").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToHashSet() : [];
    var options = new MeshProxyOptions(mesh, Flag("--cert"), Flag("--key"), IPAddress.Parse(Flag("--pod-ip")), flags.Contains("--strict"), http2, Environment.GetEnvironmentVariable("ISTIO_KUBE_APP_PROBERS"));
    await using var proxy = await MeshProxyStandIn.StartAsync(options);
    Console.WriteLine($"stand-in {mesh} proxy: inbound on {options.InboundPort}{(options.Strict ? ", TLS only" : string.Empty)}");
    await stopping.Task;
    return;
}

var name = args.ElementAtOrDefault(0) ?? "pod";
int Port(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
var tls = args.Length > 6
    ? new TestAppTls(() => System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(args[5], args[6]))
    : null;
await using var app = await TestApp.StartAsync(name, IPAddress.Any, Port(1, 8080), Port(2, 9090), tls, tls is null ? 0 : Port(4, 8443));
await using var database = TcpEchoServer.Start($"{name}-db", IPAddress.Any, Port(3, 5432));
Console.WriteLine($"{name} serving HTTP/1.1 on {app.HttpPort}, h2c and gRPC on {app.GrpcPort}, TCP on {database.Port}{(tls is null ? string.Empty : $", HTTPS on {app.TlsPort}")}");
await stopping.Task;
