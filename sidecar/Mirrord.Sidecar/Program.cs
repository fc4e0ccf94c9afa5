using Mirrord.Sidecar.Hosting;

await SidecarApplication.Build(args).RunAsync();
