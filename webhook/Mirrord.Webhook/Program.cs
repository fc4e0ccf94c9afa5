using Mirrord.Injection;
using Mirrord.Webhook.Hosting;

switch (args)
{
    case ["--version"]:
        Console.WriteLine($"mirrord-webhook {InjectorVersion.Current}");
        return 0;
    case ["--help" or "-h"]:
        Console.WriteLine($"""
            mirrord-webhook {InjectorVersion.Current}: injects the mirrord sidecar into pods that opt in.

              mirrord-webhook              serve /mutate on HTTPS (settings from MIRRORD_Webhook__* and MIRRORD_Injection__*)
              mirrord-webhook --version | --help
            """);
        return 0;
}

return await Mirrord.Hosting.SettingsCheck.RunAsync("mirrord-webhook", () => WebhookApplication.RunAsync(args), Console.Error);
