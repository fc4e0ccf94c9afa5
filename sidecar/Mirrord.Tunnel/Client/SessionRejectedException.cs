namespace Mirrord.Tunnel.Client;

/// <summary>The sidecar refused a request; <see cref="Code"/> is one of <see cref="Protocol.SessionErrorCodes"/>.</summary>
public sealed class SessionRejectedException : Exception
{
    public SessionRejectedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public SessionRejectedException()
    {
        Code = string.Empty;
    }

    public SessionRejectedException(string message)
        : base(message)
    {
        Code = string.Empty;
    }

    public SessionRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = string.Empty;
    }

    public string Code { get; }
}
