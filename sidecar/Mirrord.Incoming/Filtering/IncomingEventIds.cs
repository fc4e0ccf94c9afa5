namespace Mirrord.Incoming.Filtering;

/// <summary>Log event IDs of the incoming-traffic library (4xxx); never reused.</summary>
internal static class IncomingEventIds
{
    public const int FilterMatchTimedOut = 4001;
    public const int FilterDeadlineSpent = 4002;
}
