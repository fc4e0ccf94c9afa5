using Mirrord.Sidecar.Hosting;
using Mirrord.Sidecar.Init;

// The same image serves as mirrord-init: "init" installs the redirect and exits.
if (args is ["init", .. var initArgs])
{
    return await RedirectInstaller.RunAsync(initArgs, Console.Out, Console.Error);
}

await SidecarApplication.Build(args).RunAsync();
return 0;
