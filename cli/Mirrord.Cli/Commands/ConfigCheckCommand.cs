using System.CommandLine;
using Mirrord.Cli.Configuration;
using Mirrord.Incoming.Configuration;
using Mirrord.Incoming.Policy;

namespace Mirrord.Cli.Commands;

/// <summary>
/// <c>config check -f mirrord.json</c>: validates the file and prints the effective config, defaults
/// filled in, then what a session does with each port the config names and with any other.
/// </summary>
internal static class ConfigCheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var configFile = Options.ConfigFile();
        var key = Options.Key();
        var check = new Command("check", "Validate the config and print the effective feature.network.incoming, templates rendered and defaults filled in")
        {
            configFile, key,
        };
        check.SetAction(parse =>
        {
            var document = ConfigDocument.Load(parse.GetRequiredValue(configFile), parse.GetValue(key), error);
            var config = document is null ? null : ConfigFileLoader.Load(document, error);
            if (config is null)
            {
                return ExitCodes.ConfigInvalid;
            }

            output.WriteLine(IncomingConfigWriter.WriteMirrordJson(config));
            output.WriteLine($"// session key: {document!.Key}");

            // As comments, so the output still reads as a mirrord.json.
            foreach (var line in PortClaims.Named(config).Select(port => PortClaims.Describe(config, port)).Append(PortClaims.DescribeOthers(config)))
            {
                output.WriteLine($"// {line}");
            }

            output.WriteLine("// whatever a session takes, the pod's own httpGet and grpc probes reach the app");
            return ExitCodes.Success;
        });

        return new Command("config", "Work with mirrord.json") { check };
    }
}
