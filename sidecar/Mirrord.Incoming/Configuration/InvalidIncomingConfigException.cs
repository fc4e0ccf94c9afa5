namespace Mirrord.Incoming.Configuration;

/// <summary>Thrown by callers that cannot go on with a bad config; the message lists every error.</summary>
public sealed class InvalidIncomingConfigException : Exception
{
    public InvalidIncomingConfigException(IReadOnlyList<ConfigDiagnostic> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public InvalidIncomingConfigException()
    {
        Errors = [];
    }

    public InvalidIncomingConfigException(string message)
        : base(message)
    {
        Errors = [];
    }

    public InvalidIncomingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<ConfigDiagnostic> Errors { get; }
}
