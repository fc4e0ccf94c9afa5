using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Cli.Commands;

/// <summary><c>config check -f mirrord.json</c>: validates the file and prints the effective config, defaults filled in.</summary>
internal static class ConfigCheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = Options.ConfigFile();
        var check = new Command("check", "Validate mirrord.json and print the effective feature.network.incoming, defaults filled in")
        {
            configFile,
        };
        check.SetAction(parse =>
        {
            var config = ConfigFileLoader.Load(parse.GetRequiredValue(configFile), error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            output.WriteLine(IncomingConfigWriter.WriteMirrordJson(config));
            return ExitCodes.Success;
        });

        return new Command("config", "Work with mirrord.json") { check };
    }
}
