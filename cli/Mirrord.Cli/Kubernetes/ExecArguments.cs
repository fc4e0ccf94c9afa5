using k8s.KubeConfigModels;

namespace Mirrord.Cli.Kubernetes;

/// <summary>
/// The client library starts exec credential plugins with its arguments joined by spaces into one
/// command line, which is split again at every space: an argument such as
/// <c>--profile "my profile"</c> would arrive in two pieces. Quoting each argument the way that
/// command line is parsed (ProcessStartInfo.Arguments: double quotes group, a backslash escapes a
/// quote) makes every argument arrive whole.
/// </summary>
internal static class ExecArguments
{
    public static void QuoteForProcessStart(ExternalExecution? exec)
    {
        if (exec?.Arguments is { Count: > 0 } arguments)
        {
            exec.Arguments = [.. arguments.Select(Quote)];
        }
    }

    public static string Quote(string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            return argument;
        }

        var quoted = new System.Text.StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes count only before a quote: double them there, and escape the quote itself.
            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
