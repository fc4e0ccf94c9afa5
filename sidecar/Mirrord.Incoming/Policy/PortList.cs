namespace Mirrord.Incoming.Policy;

internal static class PortList
{
    public static string Format(IReadOnlyList<int> ports) => $"[{string.Join(", ", ports)}]";
}
