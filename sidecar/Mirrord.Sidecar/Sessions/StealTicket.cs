namespace Mirrord.Sidecar.Sessions;

/// <summary>
/// One stolen request on its way to the laptop. Exactly one of two things happens first: the CLI
/// claims it (it will be delivered to the developer's process) or the sidecar abandons it (it
/// answers the caller itself: the session ended, the tunnel broke). A claim after that is refused,
/// so a request whose caller got an error is never delivered later.
/// </summary>
internal sealed class StealTicket(long id)
{
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Abandoned = 2;
    private int _state;

    public long Id { get; } = id;

    /// <summary>The CLI asks to deliver it: granted unless the sidecar gave up on it first.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Pending) != Abandoned;

    /// <summary>The sidecar gives up on it; false when the CLI had claimed it already (it may have been delivered).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Pending) != Claimed;
}
