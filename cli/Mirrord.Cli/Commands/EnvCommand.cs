using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirrord.Cli.Configuration;
using Mirrord.Cli.Kubernetes;
using Mirrord.Cli.Variables;
using Mirrord.Incoming.Variables;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>env</c>: writes the environment <c>exec</c> would give the developer's command (the target container's
/// variables as the kubelet resolves them, then <c>feature.env</c>), for an IDE's run configuration: <c>dotenv</c>,
/// <c>json</c>, or a <c>launchSettings.json</c> profile. What could not be read is said on stderr; the rest is written.
/// </summary>
internal static class EnvCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = Options.OptionalConfigFile();
        var target = Options.Target();
        var @namespace = Options.Namespace();
        var context = Options.Context();
        var kubeconfig = Options.Kubeconfig();
        var key = Options.Key();
        var format = new Option<string>("--output", "-o") { Description = "dotenv, json or launchsettings", DefaultValueFactory = _ => "dotenv" };
        format.AcceptOnlyFromAmong("dotenv", "json", "launchsettings");
        var command = new Command("env", "Write the target container's environment, as exec gives it to your command, for an IDE's run configuration")
        {
            configFile, target, @namespace, context, kubeconfig, format, key,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(configFile);
            var document = file is null ? null : ConfigDocument.Load(file, parse.GetValue(key), error);
            var config = file is not null && document is null ? null : Load(document, error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            var fileTarget = document is null ? null : TargetConfig.Read(document);
            var targetText = parse.GetValue(target) ?? fileTarget?.Path;
            if (targetText is null)
            {
                await error.WriteLineAsync("error: say which container's environment: --target KIND/NAME (or \"target\" in mirrord.json)");
                return ExitCodes.UsageError;
            }

            if (!TargetReference.TryParse(targetText, out var reference, out var problem))
            {
                await error.WriteLineAsync($"error: --target: {problem}");
                return ExitCodes.UsageError;
            }

            try
            {
                using var kube = KubeContext.Create(parse.GetValue(kubeconfig), parse.GetValue(context), parse.GetValue(@namespace), fileTarget?.Namespace);
                var (variables, problems, source) = await TargetEnvironment.ReadAsync(kube, reference, config, cancellationToken);
                foreach (var line in problems)
                {
                    await error.WriteLineAsync($"warning: {line}");
                }

                await error.WriteLineAsync($"{variables.Count} variable(s) from {source}");
                await output.WriteAsync(Format(variables, parse.GetRequiredValue(format)));
                return ExitCodes.Success;
            }
            catch (KubernetesException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ex.ExitCode;
            }
            catch (EnvironmentFileException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.ConfigInvalid;
            }
        });
        return command;
    }

    /// <summary><c>feature.env</c> of the config file (mirrord's defaults without one); null after writing its problems.</summary>
    public static EnvConfig? Load(ConfigDocument? document, TextWriter error)
    {
        if (document is null)
        {
            return EnvConfig.Default;
        }

        var (config, errors) = EnvConfigParser.ParseMirrordJson(document.Json);
        document.Report([], errors, error);
        return config;
    }

    private static string Format(IReadOnlyDictionary<string, string> variables, string format)
    {
        var sorted = variables.OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
        var map = new JsonObject(sorted.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return format switch
        {
            "json" => map.ToJsonString(options) + "\n",
            "launchsettings" => new JsonObject
            {
                ["profiles"] = new JsonObject
                {
                    ["mirrord"] = new JsonObject { ["commandName"] = "Project", ["environmentVariables"] = map },
                },
            }.ToJsonString(options) + "\n",
            _ => DotEnv.Write(sorted),
        };
    }
}
