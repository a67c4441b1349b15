using Microsoft.Playwright;

namespace TaskLens.E2ETests;

/// <summary>Opening dashboard pages the way a person does, waiting for the live circuit before acting.</summary>
internal static class Dashboard
{
    public static async Task<IPage> OpenAsync(IBrowser browser, int port, string path, int width = 1280)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        await GoAsync(page, port, path);
        return page;
    }

    /// <summary>Navigates and waits until the page is interactive (the layout marks it once the circuit renders).</summary>
    public static async Task GoAsync(IPage page, int port, string path)
    {
        await page.GotoAsync($"http://127.0.0.1:{port}/{path.TrimStart('/')}");
        await page.WaitForSelectorAsync("#app[data-interactive='true']", new() { Timeout = 30_000 });
    }
}
