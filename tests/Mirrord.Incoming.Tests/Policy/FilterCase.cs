using Mirrord.Incoming.Policy;

namespace Mirrord.Incoming.Tests.Policy;

/// <summary>One row of the request/filter table: a bare incoming config, a request on a port, the expected action.</summary>
public sealed record FilterCase(string Name, string Incoming, int Port, TestRequest Request, TrafficAction Expected)
{
    public override string ToString() => Name;
}
