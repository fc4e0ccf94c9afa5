namespace Mirrord.Incoming.Configuration;

/// <summary>
/// The outcome of parsing: a config only when there is no error, and every error found,
/// so a user fixes them all in one round.
/// </summary>
public sealed record ConfigParseResult(
    IncomingConfig? Config,
    IReadOnlyList<ConfigDiagnostic> Errors,
    IReadOnlyList<ConfigDiagnostic> Warnings)
{
    public bool Succeeded => Config is not null;

    /// <summary>The config, or an exception carrying every error.</summary>
    public IncomingConfig GetConfigOrThrow()
        => Config ?? throw new InvalidIncomingConfigException(Errors);
}
