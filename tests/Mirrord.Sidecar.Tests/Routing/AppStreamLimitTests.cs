using System.Net;
using Mirrord.Testing;

namespace Mirrord.Sidecar.Tests.Routing;

/// <summary>
/// The sidecar carries every caller's HTTP/2 streams to the app over its own connections, so the app's stream limit
/// per connection is shared by all callers. A long stream (a gRPC watch, a download) must not make other callers
/// wait for a slot: the sidecar opens another connection to the app instead.
/// </summary>
public sealed class AppStreamLimitTests : IAsyncLifetime
{
    private TestApp _pod = null!;
    private SidecarHost _sidecar = null!;

    public async Task InitializeAsync()
    {
        _pod = await TestApp.StartAsync("pod", http2StreamsPerConnection: 1);
        _sidecar = await SidecarHost.StartAsync([_pod.GrpcPort]);
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _pod.DisposeAsync();
    }

    [Fact]
    public async Task Http2_AppAllowsOneStreamPerConnection_SecondCallerIsServedWhileTheFirstStreamIsOpen()
    {
        // Two callers, as two pods calling this one would be.
        using var first = LoopbackClients.Http2();
        using var second = LoopbackClients.Http2();
        var held = first.GetAsync(_sidecar.UrlFor(_pod.GrpcPort, "/hold"));
        await _pod.HoldReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Bounded only so that a queued request fails the test instead of hanging it.
        using var answered = await second.GetAsync(_sidecar.UrlFor(_pod.GrpcPort, "/whoami")).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(new Version(2, 0), answered.Version);
        Assert.Equal("pod", await answered.ServedByAsync());
        Assert.False(held.IsCompleted);
        _pod.Release.TrySetResult();
        using var released = await held;
        Assert.Equal("pod released\n", await released.Content.ReadAsStringAsync());
    }
}
