using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mirrord.Sidecar.Init;

/// <summary><c>mirrord-sidecar init --ports 8080,9090 --inbound-port 15080</c>, as the webhook writes it into <c>mirrord-init</c>.</summary>
internal sealed record RedirectArguments(IReadOnlyList<int> Ports, int InboundPort)
{
    public static bool TryParse(string[] args, [NotNullWhen(true)] out RedirectArguments? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        int[]? ports = null;
        var inbound = Tunnel.SidecarPorts.Inbound;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--ports" when value is not null:
                    var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    ports = new int[items.Length];
                    for (var p = 0; p < items.Length; p++)
                    {
                        if (!int.TryParse(items[p], NumberStyles.None, CultureInfo.InvariantCulture, out ports[p]) || ports[p] is < 1 or > 65535)
                        {
                            error = $"--ports: \"{items[p]}\" is not a port (1-65535)";
                            return false;
                        }
                    }

                    i++;
                    break;
                case "--inbound-port" when value is not null:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out inbound) || inbound is < 1 or > 65535)
                    {
                        error = $"--inbound-port: \"{value}\" is not a port (1-65535)";
                        return false;
                    }

                    i++;
                    break;
                case "--ports" or "--inbound-port":
                    error = $"{args[i]} needs a value";
                    return false;
                default:
                    error = $"unknown argument \"{args[i]}\"; usage: init --ports 8080[,9090...] [--inbound-port 15080]";
                    return false;
            }
        }

        if (ports is not { Length: > 0 })
        {
            error = "--ports is required: the container ports to redirect";
            return false;
        }

        if (ports.Contains(inbound))
        {
            error = $"--ports: {inbound} is the inbound port itself";
            return false;
        }

        parsed = new RedirectArguments([.. ports.Distinct().Order()], inbound);
        error = null;
        return true;
    }
}
