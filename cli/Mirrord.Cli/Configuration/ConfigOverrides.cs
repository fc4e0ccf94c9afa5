using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Filtering;
using Mirrord.Incoming.Jsonc;

namespace Mirrord.Cli.Configuration;

/// <summary>
/// Applies connect's flags on top of the file's config. A flag replaces the matching part of the
/// file; errors name the flag and the bad value.
/// </summary>
internal static class ConfigOverrides
{
    public static IncomingConfig? Apply(
        IncomingConfig config, string? mode, string? headerFilter, string? pathFilter, IReadOnlyList<string> portMappings, TextWriter error)
    {
        var ok = true;
        switch (mode)
        {
            case null:
                break;
            case "steal" or "mirror" or "off":
                config = config with { Mode = Enum.Parse<IncomingMode>(mode, ignoreCase: true) };
                break;
            default:
                error.WriteLine($"error: --mode \"{mode}\" must be steal, mirror or off");
                ok = false;
                break;
        }

        var rules = new List<FilterRuleConfig>();
        if (headerFilter is not null)
        {
            ok &= Validate("--header-filter", headerFilter, error);
            rules.Add(new HeaderRuleConfig(headerFilter, "--header-filter", SourcePosition.None));
        }

        if (pathFilter is not null)
        {
            ok &= Validate("--path-filter", pathFilter, error);
            rules.Add(new PathRuleConfig(pathFilter, "--path-filter", SourcePosition.None));
        }

        if (rules.Count > 0)
        {
            var rule = rules.Count == 1 ? rules[0] : new CompositeRuleConfig(RequiresAll: true, rules, "--header-filter/--path-filter", SourcePosition.None);
            config = config with { HttpFilter = new HttpFilterConfig(rule, config.HttpFilter?.Ports ?? IncomingConfig.DefaultFilteredPorts) };
        }

        var mappings = config.PortMapping.ToList();
        foreach (var text in portMappings)
        {
            var parts = text.Split(':');
            if (parts.Length != 2 || !TryPort(parts[0], out var remote) || !TryPort(parts[1], out var local))
            {
                error.WriteLine($"error: --port \"{text}\" must be REMOTE:LOCAL, two ports from 1 to 65535");
                ok = false;
                continue;
            }

            mappings.RemoveAll(mapping => mapping.Remote == remote);
            mappings.Add(new PortMapping(local, remote));
        }

        return ok ? config with { PortMapping = mappings } : null;
    }

    private static bool Validate(string flag, string pattern, TextWriter error)
    {
        if (FilterPattern.TryValidate(pattern, out var problem))
        {
            return true;
        }

        error.WriteLine($"error: {flag} \"{pattern}\": {problem}");
        return false;
    }

    private static bool TryPort(string text, out int port) => int.TryParse(text, out port) && port is >= 1 and <= 65535;
}
