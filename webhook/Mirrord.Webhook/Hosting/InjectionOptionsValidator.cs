using Microsoft.Extensions.Options;
using Mirrord.Injection;

namespace Mirrord.Webhook.Hosting;

/// <summary>
/// Refuses to start with sidecar settings that would keep every injected sidecar from starting, or
/// with a cluster policy that cannot be read; each message names the setting and the bad value.
/// </summary>
internal sealed class InjectionOptionsValidator : IValidateOptions<InjectionOptions>
{
    public ValidateOptionsResult Validate(string? name, InjectionOptions options)
    {
        var errors = options.SidecarLimits.Validate($"{InjectionOptions.SectionName}:{nameof(InjectionOptions.SidecarLimits)}").ToList();
        if (options.Policy is { Length: > 0 } policy)
        {
            errors.AddRange(Incoming.Guardrails.SessionPolicyParser.Parse(policy, $"{InjectionOptions.SectionName}:{nameof(InjectionOptions.Policy)}").Errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
