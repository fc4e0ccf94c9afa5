using Mirrord.Tunnel.Client;

namespace Mirrord.Cli.Local;

/// <summary>One session's budget of tunnel connections: each permit is one connection to dial.</summary>
internal sealed class TunnelDialer
{
    private volatile bool _stopped;

    public TunnelDialer(string pod, SessionClient session, int initialConnections)
    {
        Pod = pod;
        Session = session;
        Permits = new SemaphoreSlim(initialConnections);
    }

    public string Pod { get; }

    public SessionClient Session { get; }

    public SemaphoreSlim Permits { get; }

    /// <summary>The dial loop: completes when the session ends or the CLI stops; faults if it broke.</summary>
    public Task Dialing { get; set; } = Task.CompletedTask;

    /// <summary>The sidecar asked for one more connection.</summary>
    public void AddConnection()
    {
        if (!_stopped)
        {
            Permits.Release();
        }
    }

    /// <summary>A connection closed: dial a replacement while the session lives.</summary>
    public void Replace()
    {
        if (!_stopped && !Session.Ended.IsCompleted)
        {
            Permits.Release();
        }
    }

    public void Stop() => _stopped = true;
}
