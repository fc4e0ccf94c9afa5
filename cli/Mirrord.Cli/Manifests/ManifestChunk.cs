namespace Mirrord.Cli.Manifests;

/// <summary>One document of a multi-document YAML file, as written: its <c>---</c> line (if any) and its text.</summary>
internal sealed record ManifestChunk(string Separator, string Body)
{
    /// <summary>Splits at lines that start a document (<c>---</c> at column 0), keeping every byte.</summary>
    public static IReadOnlyList<ManifestChunk> Split(string text)
    {
        var chunks = new List<ManifestChunk>();
        var separator = string.Empty;
        var body = new System.Text.StringBuilder();
        foreach (var line in Lines(text))
        {
            if (line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || char.IsWhiteSpace(line[3])))
            {
                chunks.Add(new ManifestChunk(separator, body.ToString()));
                separator = line;
                body.Clear();
            }
            else
            {
                body.Append(line);
            }
        }

        chunks.Add(new ManifestChunk(separator, body.ToString()));
        return chunks;
    }

    /// <summary>True when the chunk holds no YAML node (only comments and blank lines).</summary>
    public bool IsEmpty => Body.Split('\n').All(line => line.TrimStart().Length == 0 || line.TrimStart().StartsWith('#'));

    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            yield return text[start..end];
            start = end;
        }
    }
}
