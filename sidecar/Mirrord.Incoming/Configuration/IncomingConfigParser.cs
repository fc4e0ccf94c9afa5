using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>
/// Parses mirrord's <c>feature.network.incoming</c> from a whole mirrord.json or from a bare
/// incoming value (the <c>mirrord.dev/config</c> annotation). Comments and trailing commas are
/// allowed; unknown fields, bad values and bad patterns are errors naming the field and its line
/// and column. All errors are collected; no config is returned unless there are none.
/// </summary>
public static class IncomingConfigParser
{
    /// <summary>The path of the incoming object inside mirrord.json.</summary>
    public const string IncomingPath = "feature.network.incoming";

    /// <summary>Why a jq filter (<c>header_filter_jq</c>, a <c>{ "query" }</c> member, <c>MIRRORD_HTTP_HEADER_FILTER_JQ</c>) is refused.</summary>
    public const string JqRefused = "is a jq filter, which this sidecar cannot run (there is no maintained jq for .NET)";

    /// <summary>Parses a whole mirrord.json; keys outside <c>feature.network.incoming</c> are accepted and ignored.</summary>
    public static ConfigParseResult ParseMirrordJson(string text)
    {
        if (!TryReadDocument(text, "mirrord.json", out var root, out var failure))
        {
            return failure;
        }

        var reader = new IncomingConfigReader();
        var incoming = reader.LocateIncoming(root);
        return reader.Finish(incoming);
    }

    /// <summary>Parses a bare incoming value: <c>"steal"</c>, or an object with <c>mode</c>, <c>http_filter</c>, ...</summary>
    public static ConfigParseResult ParseIncoming(string text)
    {
        if (!TryReadDocument(text, IncomingPath, out var root, out var failure))
        {
            return failure;
        }

        var reader = new IncomingConfigReader();
        return reader.Finish(reader.ReadIncoming(root, IncomingPath));
    }

    private static bool TryReadDocument(string text, string what, out JsoncValue root, out ConfigParseResult failure)
    {
        try
        {
            root = JsoncReader.Parse(text);
            failure = null!;
            return true;
        }
        catch (JsoncSyntaxException ex)
        {
            root = null!;
            failure = new ConfigParseResult(null, [new ConfigDiagnostic(what, ex.Position, $"not valid JSON: {ex.Message}")], []);
            return false;
        }
    }
}
