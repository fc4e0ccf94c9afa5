using CsCheck;

namespace Mirrord.Incoming.Tests.Properties;

/// <summary>
/// Generators for <c>feature.network.incoming</c> text: token soup that looks like a config (so the
/// parser's deeper paths are reached, not just "not JSON"), and well-formed configs with filters
/// nested a few levels deep.
/// </summary>
internal static class ConfigGenerators
{
    /// <summary>Patterns that compile, some with look-arounds and anchors, none catastrophic.</summary>
    public static readonly string[] Patterns =
        ["^X-Dev: alice$", "alice", "^/api", "^User-Agent: (?!kube-probe)", "v[0-9]+", "^/$", "bob|carol", "(?i)^host: .*\\.local$", "^$", "\\?debug=1"];

    public static readonly string[] Methods = ["GET", "POST", "put", "DELETE", "PATCH", "OPTIONS"];

    private static readonly string[] s_tokens =
    [
        "{", "}", "[", "]", ":", ",", " ", "\n", "\"mode\"", "\"steal\"", "\"mirror\"", "\"off\"", "\"http_filter\"",
        "\"header_filter\"", "\"path_filter\"", "\"any_of\"", "\"all_of\"", "\"header\"", "\"path\"", "\"method\"",
        "\"ports\"", "\"port_mapping\"", "\"ignore_ports\"", "\"on_concurrent_steal\"", "\"body\"", "\"json\"",
        "\"(a+)+$\"", "\"[\"", "\"^x$\"", "8080", "-1", "70000", "1e3", "null", "true", "false", "// c\n", "/* c */", "\"\\u0000\"", "\"\\q\"",
    ];

    // Static fields initialize in text order: each generator comes after the ones it uses.
    private static readonly Gen<string> s_member = Gen.OneOf(
        Gen.OneOfConst(Patterns).Select(p => $"{{ \"header\": {Quote(p)} }}"),
        Gen.OneOfConst(Patterns).Select(p => $"{{ \"path\": {Quote(p)} }}"),
        Gen.OneOfConst(Methods).Select(m => $"{{ \"method\": \"{m}\" }}"));

    /// <summary>The filter: a header or path rule, or <c>any_of</c>/<c>all_of</c> over header, path and method members.</summary>
    public static readonly Gen<string> Rule = Gen.OneOf(
        Gen.OneOfConst(Patterns).Select(p => $"\"header_filter\": {Quote(p)}"),
        Gen.OneOfConst(Patterns).Select(p => $"\"path_filter\": {Quote(p)}"),
        Gen.Select(Gen.OneOfConst("any_of", "all_of"), s_member.Array[1, 4], (key, members) => $"\"{key}\": [{string.Join(", ", members)}]"));

    /// <summary>A valid incoming object with an http_filter.</summary>
    public static readonly Gen<string> WellFormed =
        Gen.Select(Gen.OneOfConst("steal", "mirror"), Rule, Gen.Int[1, 65535].Array[1, 3], (mode, rule, ports) =>
            $$"""{ "mode": "{{mode}}", "http_filter": { {{rule}}, "ports": [{{string.Join(", ", ports.Distinct())}}] } }""");

    public static readonly Gen<string> TokenSoup = Gen.OneOfConst(s_tokens).Array[0, 40].Select(parts => string.Concat(parts));

    /// <summary>Either token soup, or a well-formed config with one token inserted, some text dropped, or its tail doubled.</summary>
    public static readonly Gen<string> AlmostConfig = Gen.OneOf(
        TokenSoup,
        Gen.Select(WellFormed, Gen.Int[0, 1000], Gen.OneOfConst(s_tokens), Gen.Int[0, 2], (text, at, token, how) =>
        {
            var i = at % (text.Length + 1);
            return how switch
            {
                0 => text[..i] + token + text[i..],
                1 => text[..i] + text[Math.Min(text.Length, i + token.Length)..],
                _ => text[..i] + text[i..] + text[i..],
            };
        }));

    public static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
