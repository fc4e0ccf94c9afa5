namespace Mirrord.Incoming.JsonPath;

/// <summary>A JSONPath query that this engine cannot read; <see cref="Offset"/> is 0-based into the query.</summary>
public sealed class JsonPathSyntaxException : Exception
{
    public JsonPathSyntaxException(string message, int offset)
        : base(message)
    {
        Offset = offset;
    }

    public JsonPathSyntaxException()
    {
    }

    public JsonPathSyntaxException(string message)
        : base(message)
    {
    }

    public JsonPathSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Offset { get; }
}
