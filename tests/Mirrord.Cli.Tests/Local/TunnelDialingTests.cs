using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mirrord.Testing;
using Mirrord.Tunnel.Protocol;

namespace Mirrord.Cli.Tests.Local;

/// <summary>The CLI keeps its tunnel connections coming whatever one attach attempt runs into.</summary>
public sealed class TunnelDialingTests
{
    [Fact]
    public async Task AnAttachAnsweredWithGarbage_IsRetried_SoTheSessionStillGetsItsTunnels()
    {
        await using var endpoint = new GarbledFirstAttach();
        var config = Path.Combine(Path.GetTempPath(), $"mirrord-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, """{ "feature": { "network": { "incoming": "steal" } } }""");
        await using var cli = await CliSession.StartAsync(["connect", "--sidecar-address", $"127.0.0.1:{endpoint.Port}", "-f", config, "--local-port", "1"], registrations: 1);

        // One garbled answer, then both of the session's first two connections.
        await endpoint.Attaches(3).WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// A session endpoint as the sidecar's, reduced to the frames: registers anyone, answers the
    /// first attach with bytes that are no frame, and the later ones properly (keeping them open).
    /// </summary>
    private sealed class GarbledFirstAttach : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly object _gate = new();
        private readonly Task _serving;
        private int _attaches;
        private (int Count, TaskCompletionSource Done)? _waiting;

        public GarbledFirstAttach()
        {
            _listener.Start();
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task Attaches(int count)
        {
            lock (_gate)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_attaches >= count)
                {
                    done.SetResult();
                }
                else
                {
                    _waiting = (count, done);
                }

                return done.Task;
            }
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                lock (_gate)
                {
                    _clients.Add(client);
                }

                _ = AnswerAsync(client.GetStream());
            }
        }

        private async Task AnswerAsync(NetworkStream stream)
        {
            try
            {
                switch (await SessionFrames.ReadAsync(stream, _stop.Token))
                {
                    case RegisterMessage:
                        await SessionFrames.WriteAsync(stream, new RegisteredMessage("garbled", Convert.ToBase64String(new byte[32]), "test", [8080]), _stop.Token);
                        while (await SessionFrames.ReadAsync(stream, _stop.Token) is { } message)
                        {
                            if (message is PingMessage)
                            {
                                await SessionFrames.WriteAsync(stream, new PongMessage(), _stop.Token);
                            }
                        }

                        break;
                    case AttachMessage:
                        int attach;
                        lock (_gate)
                        {
                            attach = ++_attaches;
                            if (_waiting is { } waiting && attach >= waiting.Count)
                            {
                                waiting.Done.TrySetResult();
                            }
                        }

                        if (attach == 1)
                        {
                            await stream.WriteAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff, (byte)'{' }, _stop.Token);
                        }
                        else
                        {
                            await SessionFrames.WriteAsync(stream, new AttachedMessage(), _stop.Token);
                        }

                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidDataException or JsonException)
            {
                // The CLI went away.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            lock (_gate)
            {
                foreach (var client in _clients)
                {
                    client.Dispose();
                }
            }
        }
    }
}
