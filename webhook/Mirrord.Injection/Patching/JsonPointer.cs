namespace Mirrord.Injection.Patching;

/// <summary>RFC 6901 pointers: <c>~</c> and <c>/</c> in a key become <c>~0</c> and <c>~1</c> (annotation keys contain <c>/</c>).</summary>
public static class JsonPointer
{
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    public static string Combine(string parent, string key) => $"{parent}/{Escape(key)}";
}
