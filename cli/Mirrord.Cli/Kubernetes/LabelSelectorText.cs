using k8s.Models;

namespace Mirrord.Cli.Kubernetes;

/// <summary>A structured <c>spec.selector</c> in the query syntax the API server takes.</summary>
internal static class LabelSelectorText
{
    public static string From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            parts.Add($"{key}={value}");
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var values = string.Join(",", requirement.Values ?? []);
            parts.Add(requirement.OperatorProperty switch
            {
                "In" => $"{requirement.Key} in ({values})",
                "NotIn" => $"{requirement.Key} notin ({values})",
                "Exists" => requirement.Key,
                "DoesNotExist" => $"!{requirement.Key}",
                var other => throw new KubernetesException(ExitCodes.TargetNotFound, $"unknown selector operator \"{other}\" on {requirement.Key}"),
            });
        }

        return string.Join(",", parts);
    }
}
