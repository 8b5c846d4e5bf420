using Microsoft.Playwright;

namespace Astra.Dispatch.Console.Tests.Browser;

/// <summary>Screenshots as test artifacts in artifacts/screenshots/ under the repository root (scripts/test.sh clears it per run).</summary>
public static class Screenshots
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        var path = Path.Combine(Directory, string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c)) + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true }); // creates the folder
        return path;
    }

    /// <summary>The folder holding Astra.Dispatch.sln above the test binaries, else the working directory.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Astra.Dispatch.sln")))
            {
                return dir.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
