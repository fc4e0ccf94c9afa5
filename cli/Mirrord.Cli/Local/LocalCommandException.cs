namespace Mirrord.Cli.Local;

/// <summary>The command after <c>--</c> could not be started; the message names it.</summary>
internal sealed class LocalCommandException(string message, Exception inner) : Exception(message, inner);
