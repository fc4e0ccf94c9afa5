namespace Mirrord.Sidecar.Hosting;

/// <summary>
/// The list formats of the sidecar's environment, as the injector writes them: ports
/// (<c>8080,9090</c>) and direct listeners (<c>18080=8080,19090=9090</c>). One parser for the
/// options' typed values and for the validator's messages.
/// </summary>
internal static class PortListText
{
    public static bool TryParsePorts(string text, out IReadOnlyList<int> ports)
    {
        var parsed = new List<int>();
        foreach (var part in Split(text))
        {
            if (!int.TryParse(part, out var port) || port is < 1 or > 65535)
            {
                ports = [];
                return false;
            }

            parsed.Add(port);
        }

        ports = parsed;
        return true;
    }

    /// <returns>False with the first entry that is not <c>listenPort=containerPort</c>.</returns>
    public static bool TryParseListeners(string text, out IReadOnlyList<(int ListenPort, int ContainerPort)> listeners, out string? badEntry)
    {
        var parsed = new List<(int, int)>();
        foreach (var pair in Split(text))
        {
            var parts = pair.Split('=');
            if (parts.Length != 2 || !TryParsePorts(parts[0], out var listen) || !TryParsePorts(parts[1], out var container) || listen.Count != 1 || container.Count != 1)
            {
                (listeners, badEntry) = ([], pair);
                return false;
            }

            parsed.Add((listen[0], container[0]));
        }

        (listeners, badEntry) = (parsed, null);
        return true;
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
