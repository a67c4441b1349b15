using MudBlazor;

namespace TaskLens.Web.Components.Layout;

/// <summary>One light and one dark palette; contrast of text on both is kept at WCAG AA.</summary>
internal static class DashboardTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fbf",
            AppbarBackground = "#1f2937",
            Error = "#b42318",
            Warning = "#b54708",
            Success = "#067647",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb0ff",
            Error = "#ff8a80",
            Warning = "#ffb74d",
            Success = "#66bb6a",
        },
    };
}
