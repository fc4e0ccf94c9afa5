using Mirrord.Incoming.Policy;

namespace Mirrord.Sidecar.Sessions;

/// <summary>Who takes a request: a stealing session (with its decision), and the mirror sessions that get a copy.</summary>
internal readonly record struct RouteResult(Session? Stealer, TrafficDecision Decision, IReadOnlyList<Session>? Mirrors);
