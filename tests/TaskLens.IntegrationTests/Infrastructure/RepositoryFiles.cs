namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>The checkout the tests run from, for tests that read what ships beside the code (compose, dashboards).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "TaskLens.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TaskLens.sln not found above the test binaries.");
    }
}
