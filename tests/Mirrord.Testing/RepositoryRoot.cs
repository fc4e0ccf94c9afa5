namespace Mirrord.Testing;

/// <summary>The checkout the tests run from: the folder above the test output that holds the solution.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Mirrord.Webhook.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Mirrord.Webhook.sln) is not above the test output");
    }
}
