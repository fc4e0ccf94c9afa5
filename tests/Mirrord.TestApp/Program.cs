using System.Globalization;
using System.Net;
using Mirrord.Testing;

// Mirrord.TestApp NAME HTTP_PORT GRPC_PORT TCP_PORT: serves on every address until stopped.
var name = args.ElementAtOrDefault(0) ?? "pod";
int Port(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
await using var app = await TestApp.StartAsync(name, IPAddress.Any, Port(1, 8080), Port(2, 9090));
await using var database = TcpEchoServer.Start($"{name}-db", IPAddress.Any, Port(3, 5432));
Console.WriteLine($"{name} serving HTTP/1.1 on {app.HttpPort}, h2c and gRPC on {app.GrpcPort}, TCP on {database.Port}");
var stopping = new TaskCompletionSource();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => stopping.TrySetResult());
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.TrySetResult();
};
await stopping.Task;
