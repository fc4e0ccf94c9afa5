using System.CommandLine;
using Mirrord.Demo;

return await DemoCommand.Create(Console.Out, Console.Error).Parse(args).InvokeAsync(new InvocationConfiguration { Output = Console.Out, Error = Console.Error });
