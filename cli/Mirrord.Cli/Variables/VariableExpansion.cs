using System.Text;

namespace Mirrord.Cli.Variables;

/// <summary>
/// <c>$(VAR)</c> in a container's env values, as the kubelet expands them (kubernetes
/// <c>third_party/forked/golang/expansion/expand.go</c>): <c>$(NAME)</c> becomes NAME's value when NAME is defined
/// (earlier in the list, by envFrom, or a service link), and stays as written when it is not; <c>$$</c> is a
/// literal <c>$</c> (so <c>$$(NAME)</c> stays <c>$(NAME)</c>); any other <c>$</c> is kept.
/// </summary>
internal static class VariableExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i++;
            }
            else if (next == '(' && input.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = input[(i + 2)..close];
                output.Append(lookup(name) ?? $"$({name})");
                i = close;
            }
            else
            {
                output.Append('$');
            }
        }

        return output.ToString();
    }
}
