namespace Mirrord.Incoming.Jsonc;

/// <summary>The text is not JSON, even allowing comments and trailing commas.</summary>
public sealed class JsoncSyntaxException : Exception
{
    public JsoncSyntaxException(string message, SourcePosition position)
        : base(message)
    {
        Position = position;
    }

    public JsoncSyntaxException()
    {
    }

    public JsoncSyntaxException(string message)
        : base(message)
    {
    }

    public JsoncSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SourcePosition Position { get; }
}
