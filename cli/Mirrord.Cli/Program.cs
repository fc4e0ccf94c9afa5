using Mirrord.Cli;

using var termination = TerminationSignals.Register();
return await CliApplication.RunAsync(args, Console.Out, Console.Error, termination.Token);
