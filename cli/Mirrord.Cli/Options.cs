using System.CommandLine;

namespace Mirrord.Cli;

/// <summary>Every flag of mirrord-cli, declared once; commands pick the ones they take.</summary>
internal static class Options
{
    public static Option<FileInfo> ConfigFile() => new("--config-file", "-f")
    {
        Description = "mirrord.json to read (comments and trailing commas allowed)",
        Required = true,
    };

    public static Option<int> Port() => new("--port")
    {
        Description = "The container port the request arrives on",
        DefaultValueFactory = _ => 8080,
    };

    public static Option<string> Method() => new("--method", "-X")
    {
        Description = "The request method",
        DefaultValueFactory = _ => "GET",
    };

    public static Option<string> RequestPath() => new("--path")
    {
        Description = "The request path, optionally with a query string (/api/x?id=1)",
        DefaultValueFactory = _ => "/",
    };

    public static Option<string[]> Header() => new("--header", "-H")
    {
        Description = "A request header as 'Name: value'; repeat for more",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Body() => new("--body")
    {
        Description = "The request body (for body filters; set Content-Type with -H)",
    };
}
