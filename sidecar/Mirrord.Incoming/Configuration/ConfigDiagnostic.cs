using Mirrord.Incoming.Jsonc;

namespace Mirrord.Incoming.Configuration;

/// <summary>An error or warning about one field of the configuration.</summary>
/// <param name="Path">The field, e.g. <c>feature.network.incoming.http_filter.header_filter</c>.</param>
/// <param name="Position">Where the field stands in the text, when known.</param>
/// <param name="Message">What is wrong, naming the bad value.</param>
public sealed record ConfigDiagnostic(string Path, SourcePosition Position, string Message)
{
    public override string ToString()
        => Position.IsKnown ? $"{Path}: {Message} ({Position})" : $"{Path}: {Message}";
}
