using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Init;

RuntimeTuning.Apply();

switch (args)
{
    // The same image serves as mirrord-init: "init" installs the redirect and exits.
    case ["init", .. var initArgs]:
        return await RedirectInstaller.RunAsync(initArgs, Console.Out, Console.Error);
    case ["sessions", .. var sessionArgs]:
        return await Mirrord.Sidecar.Sessions.AdminCommand.RunAsync(sessionArgs, Console.Out, Console.Error);
    case ["--version"]:
        Console.WriteLine($"mirrord-sidecar {SidecarVersion.Current}");
        return 0;
    case ["--help" or "-h"]:
        Console.WriteLine($"""
            mirrord-sidecar {SidecarVersion.Current}: the in-pod proxy of mirrord for Kubernetes.

              mirrord-sidecar                          serve (settings from MIRRORD_Sidecar__* or MIRRORD_CONFIG_FILE)
              mirrord-sidecar init --ports 8080[,...]  install the iptables redirect (the mirrord-init container);
                  [--behind istio|linkerd --mesh-proxy-uid UID]  behind a mesh's proxy, redirect its decrypted connections
              mirrord-sidecar sessions kill ID|--all [--by WHO]
                  end sessions through the administration socket (run in the sidecar's container: kubectl exec)
              mirrord-sidecar --version | --help
            """);
        return 0;
}

return await Mirrord.Hosting.SettingsCheck.RunAsync("mirrord-sidecar", () => SidecarApplication.Build(args).RunAsync(), Console.Error);
