using Microsoft.Playwright;

namespace TaskLens.E2ETests;

/// <summary>
/// Screenshots of every page, kept as test artifacts in <c>artifacts/screenshots</c> at the repository root (or
/// <c>TASKLENS_SCREENSHOTS</c>), at the width of a laptop (1280 px) and, where asked, a phone (390 px).
/// </summary>
internal static class Screenshots
{
    public static string Directory { get; } = Environment.GetEnvironmentVariable("TASKLENS_SCREENSHOTS") ?? Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public static async Task TakeAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Directory, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskLens.sln")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
