namespace Mirrord.Cli.Configuration.Templates;

/// <summary>What a config template can read: the session key (null while the key itself is rendered), the git branch (null when unknown) and the environment.</summary>
internal sealed record TemplateVariables(string? Key, string? GitBranch, Func<string, string?> Environment);
