using System.Text.RegularExpressions;

namespace Mirrord.Incoming.Variables;

/// <summary>
/// <c>feature.env</c> as mirrord reads it (mirrord-config <c>src/feature/env.rs</c> and <c>env/mapper.rs</c>, mirrord-cli
/// <c>src/execution.rs</c> fetch_env_vars, release 3.250): on by default; <c>include</c> or <c>exclude</c> (not both)
/// choose the target's variables by name with <c>*</c> and <c>?</c>; a fixed set is never copied unless included
/// (<see cref="NeverCopied"/>); then <c>env_file</c>'s variables, then <c>mapping</c> (the first pattern found anywhere
/// in a name sets that variable's value), then <c>override</c>; <c>unset</c> removes names from the command's
/// environment, ignoring case.
/// </summary>
public sealed record EnvConfig
{
    public static EnvConfig Default { get; } = new();

    /// <summary>
    /// What mirrord's agent never copies unless <c>include</c> names it (mirrord-agent <c>src/env.rs</c>, EnvFilter): a
    /// laptop's own paths, homes and runtime hooks would break the local process.
    /// </summary>
    public static IReadOnlyList<string> NeverCopied { get; } =
    [
        "BUNDLER_*", "BUNDLE_APP_CONFIG", "BUNDLE_BIN_PATH", "BUNDLE_FORCE_RUBY_PLATFORM", "BUNDLE_GEMFILE", "BUNDLE_GEM_PATH", "BUNDLE_PATH", "BUNDLE_WITHOUT",
        "CATALINA_HOME", "CLASSPATH", "DOTNET_EnableDiagnostics", "DOTNET_STARTUP_HOOKS", "GEM_HOME", "GEM_PATH", "GOPATH", "GOMODCACHE", "HOME", "HOMEPATH",
        "JAVA_EXE", "JAVA_HOME", "JAVA_TOOL_OPTIONS", "PATH", "PWD", "PYTHONPATH", "RUBYLIB", "RUBYOPT", "MIRRORD_LOG", "RUST_LOG", "_JAVA_OPTIONS",
    ];

    /// <summary>False: the target's environment is not copied at all (<c>"env": false</c>).</summary>
    public bool Enabled { get; init; } = true;

    public IReadOnlyList<string>? Include { get; init; }

    public IReadOnlyList<string>? Exclude { get; init; }

    public IReadOnlyDictionary<string, string> Override { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Unset { get; init; } = [];

    /// <summary>Patterns (searched in each name) and the value a matching variable gets, in the config's order.</summary>
    public IReadOnlyList<(Regex Pattern, string Value)> Mapping { get; init; } = [];

    public string? EnvFile { get; init; }

    /// <summary>The command's variables from the target's (<paramref name="target"/>) and the env file's (<paramref name="fromFile"/>), in mirrord's order.</summary>
    public IReadOnlyDictionary<string, string> Compose(IEnumerable<KeyValuePair<string, string>> target, IEnumerable<KeyValuePair<string, string>> fromFile)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Enabled)
        {
            foreach (var (name, value) in target.Where(v => Selected(v.Key)))
            {
                result[name] = value;
            }
        }

        foreach (var (name, value) in fromFile)
        {
            result[name] = value;
        }

        foreach (var name in result.Keys.ToList())
        {
            if (Mapping.FirstOrDefault(m => m.Pattern.IsMatch(name)) is { Pattern: not null } mapped)
            {
                result[name] = mapped.Value;
            }
        }

        foreach (var (name, value) in Override)
        {
            result[name] = value;
        }

        return result;
    }

    /// <summary>Whether the target's variable <paramref name="name"/> is copied.</summary>
    public bool Selected(string name)
    {
        if (Include is { } include)
        {
            return include.Any(p => Wildcard(p, name));
        }

        return !NeverCopied.Any(p => Wildcard(p, name)) && !(Exclude ?? []).Any(p => Wildcard(p, name));
    }

    /// <summary><c>*</c> any run of characters, <c>?</c> exactly one, the rest literally, the whole name.</summary>
    public static bool Wildcard(string pattern, string name)
        => Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
