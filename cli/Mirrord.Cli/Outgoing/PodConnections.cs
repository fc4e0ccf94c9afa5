using System.Net.Sockets;
using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Outgoing;

/// <summary>
/// The sessions that can open connections from a pod, as they register and end: a connection goes through the
/// first one registered (one pod of the target speaks for all, as the app's own calls leave from one pod).
/// While none is registered (the CLI reconnecting), a connection waits for one, up to <see cref="s_wait"/>.
/// </summary>
internal sealed class PodConnections
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private readonly List<(string Pod, SessionClient Session)> _sessions = [];
    private TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string pod, SessionClient session)
    {
        lock (_sessions)
        {
            _sessions.Add((pod, session));
            _registered.TrySetResult();
        }
    }

    public void Remove(SessionClient session)
    {
        lock (_sessions)
        {
            _sessions.RemoveAll(entry => ReferenceEquals(entry.Session, session));
            if (_sessions.Count == 0 && _registered.Task.IsCompleted)
            {
                _registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Opens a connection from the pod; the exception's message says why it could not be.</summary>
    /// <exception cref="OutgoingRefusedException">The sidecar refused it or could not connect, or no session was there.</exception>
    public async Task<(Stream Stream, string Pod, string RemoteAddress)> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        (string Pod, SessionClient Session) chosen;
        Task registered;
        lock (_sessions)
        {
            chosen = _sessions.FirstOrDefault();
            registered = _registered.Task;
        }

        if (chosen.Session is null)
        {
            try
            {
                await registered.WaitAsync(s_wait, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new OutgoingRefusedException($"no session is registered on any pod to open {host}:{port} from (waited {s_wait.TotalSeconds:0} s)");
            }

            lock (_sessions)
            {
                chosen = _sessions.FirstOrDefault();
            }

            if (chosen.Session is null)
            {
                throw new OutgoingRefusedException($"the session ended before {host}:{port} could be opened");
            }
        }

        try
        {
            var (stream, remote) = await chosen.Session.OpenOutgoingAsync(host, port, cancellationToken);
            return (stream, chosen.Pod, remote);
        }
        catch (SessionRejectedException ex)
        {
            throw new OutgoingRefusedException($"pod {chosen.Pod}: {ex.Message}", ex.Code);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
        {
            throw new OutgoingRefusedException($"pod {chosen.Pod} could not be reached to open {host}:{port}: {ex.Message}");
        }
    }
}

/// <summary>A connection that could not be opened from the pod: <see cref="Exception.Message"/> says why; <see cref="Code"/> is the sidecar's error code, if it answered.</summary>
internal sealed class OutgoingRefusedException(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}
