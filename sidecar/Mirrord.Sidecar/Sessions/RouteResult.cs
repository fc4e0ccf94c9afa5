namespace Mirrord.Sidecar.Sessions;

/// <summary>Who takes a request: a stealing session, and the mirror sessions that get a copy.</summary>
internal readonly record struct RouteResult(Session? Stealer, IReadOnlyList<Session>? Mirrors);
