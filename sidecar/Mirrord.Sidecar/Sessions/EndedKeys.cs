namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// The session keys whose last session on this pod has ended, so a share link that still carries one is told the
/// session is over instead of reaching the app unnoticed. Kept for <see cref="Retention"/> (a working day), at most
/// <see cref="Capacity"/> of them, the oldest dropped first; a sidecar restart forgets them.
/// </summary>
internal sealed class EndedKeys(TimeProvider time)
{
    public const int Capacity = 1024;

    public static readonly TimeSpan Retention = TimeSpan.FromHours(12);

    private readonly Dictionary<string, DateTimeOffset> _ended = new(StringComparer.Ordinal);

    public void Ended(string key)
    {
        lock (_ended)
        {
            if (_ended.Count >= Capacity && !_ended.ContainsKey(key))
            {
                _ended.Remove(_ended.MinBy(pair => pair.Value).Key);
            }

            _ended[key] = time.GetUtcNow();
        }
    }

    public void Held(string? key)
    {
        if (key is null)
        {
            return;
        }

        lock (_ended)
        {
            _ended.Remove(key);
        }
    }

    public bool Contains(string key)
    {
        lock (_ended)
        {
            if (!_ended.TryGetValue(key, out var at))
            {
                return false;
            }

            if (time.GetUtcNow() - at < Retention)
            {
                return true;
            }

            _ended.Remove(key);
            return false;
        }
    }
}
