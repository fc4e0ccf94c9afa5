namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The ports another session took from this one with <c>on_concurrent_steal: "override"</c>, each with who took it;
/// they come back when that session ends. Read on every request, so lock-free for readers.
/// </summary>
internal sealed class WithdrawnPorts
{
    private readonly object _gate = new();
    private Dictionary<int, string> _byPort = [];

    public bool Contains(int port)
    {
        var byPort = Volatile.Read(ref _byPort);
        return byPort.Count != 0 && byPort.ContainsKey(port);
    }

    public void Withdraw(int port, string takenBy)
    {
        lock (_gate)
        {
            _byPort = new Dictionary<int, string>(_byPort) { [port] = takenBy };
        }
    }

    /// <summary>Gives back the ports <paramref name="takenBy"/> took; returns them.</summary>
    public IReadOnlyList<int> Restore(string takenBy)
    {
        lock (_gate)
        {
            var returned = _byPort.Where(pair => pair.Value == takenBy).Select(pair => pair.Key).Order().ToList();
            if (returned.Count > 0)
            {
                _byPort = _byPort.Where(pair => pair.Value != takenBy).ToDictionary();
            }

            return returned;
        }
    }
}
