using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Policy;
using Mirrord.Sidecar.Forwarding;
using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Routing;
using Mirrord.Sidecar.Sessions;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.Churn;

/// <summary>
/// A session can end between the moment a request is routed to it and the moment the request
/// uses it. Such a request gets the documented answer for an ended session, never an exception.
/// The race is set up by ending the session first, then handing it the request.
/// </summary>
public sealed class SessionEndRaceTests : IAsyncLifetime
{
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await SidecarHost.StartAsync([8080]);

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task StolenRequest_OfASessionThatJustEnded_Gets502SessionEnded()
    {
        var session = await EndedSessionAsync("steal");
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        context.Request.Method = "GET";
        context.Request.Path = "/orders";

        await _sidecar.Services.GetRequiredService<RequestRouter>().StealAsync(context, session);

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal(Tunnel.TunnelErrors.SessionEnded, context.Response.Headers[Tunnel.TunnelHeaders.Error].ToString());
    }

    [Fact]
    public async Task MirroredCopy_ForASessionThatJustEnded_IsNotSent_AndNothingThrows()
    {
        var session = await EndedSessionAsync("mirror");
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        var copy = MirrorCopy.Begin(context, 1024, _sidecar.Services.GetRequiredService<BufferBudget>());

        _sidecar.Services.GetRequiredService<MirrorSender>().Send(copy, [session]);

        Assert.Equal(0, session.Mirrored);
    }

    [Fact]
    public async Task WholeConnection_StolenByASessionThatJustEnded_IsClosed_AndNothingThrows()
    {
        var session = await EndedSessionAsync("steal");
        var connection = new PipeConnection();

        await Mirrord.Sidecar.RawTcp.TcpSteal.StealAsync(session, connection, 5432);

        Assert.True(connection.OutputCompleted);
    }

    private async Task<Session> EndedSessionAsync(string mode)
    {
        var incoming = JsonDocument.Parse($$"""{ "mode": "{{mode}}" }""").RootElement;
        var config = IncomingConfigParser.ParseIncoming(incoming.GetRawText()).GetConfigOrThrow();
        var options = _sidecar.Services.GetRequiredService<IOptions<SidecarOptions>>().Value;
        var session = new Session("alice", IncomingTrafficPolicy.Compile(config), incoming, options, () => ValueTask.CompletedTask, TimeProvider.System);
        await session.DisposeAsync();
        return session;
    }

    /// <summary>A connection whose caller has sent nothing yet; records whether the sidecar closed its output.</summary>
    private sealed class PipeConnection : ConnectionContext
    {
        private readonly Pipe _input = new();
        private readonly Pipe _output = new();

        public PipeConnection()
        {
            Transport = new DuplexPipe(_input.Reader, _output.Writer);
        }

        public bool OutputCompleted => _output.Reader.TryRead(out var result) && result.IsCompleted;

        public override IDuplexPipe Transport { get; set; }

        public override string ConnectionId { get; set; } = "test";

        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override EndPoint? RemoteEndPoint { get; set; } = new IPEndPoint(IPAddress.Loopback, 40000);

        private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
    }
}
