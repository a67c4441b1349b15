using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;
using MudBlazor;

namespace TaskLens.Web.Components.Widgets;

/// <summary>How the dashboard writes numbers, times and states: one place, invariant culture, UTC.</summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", Invariant);

    public static string Time(ulong unixNano) => Time(DateTimeOffset.FromUnixTimeMilliseconds((long)(unixNano / 1_000_000)));

    public static string Ms(double ms) => ms switch
    {
        double.NaN => "–",
        >= 60_000 => (ms / 60_000).ToString("0.#", Invariant) + " min",
        >= 1_000 => (ms / 1_000).ToString("0.##", Invariant) + " s",
        _ => ms.ToString("0.#", Invariant) + " ms",
    };

    public static string Nano(ulong nano) => Ms(nano / 1e6);

    public static string Money(double? usd) => usd is { } v ? "$" + v.ToString(v < 1 ? "0.0000" : "#,0.00", Invariant) : "–";

    public static string Percent(double? ratio) => ratio is { } r && !double.IsNaN(r) ? (r * 100).ToString("0.#", Invariant) + " %" : "–";

    /// <summary>A whole-minute step in words: "one-minute", "5-minute".</summary>
    public static string Step(TimeSpan step) => step.TotalMinutes == 1 ? "one-minute" : step.TotalMinutes.ToString("0", Invariant) + "-minute";

    public static string Count(long n) => n.ToString("N0", Invariant);

    public static string Number(double n) => double.IsNaN(n) ? "–" : n.ToString(Math.Abs(n) >= 100 ? "#,0" : "0.##", Invariant);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (double)(1 << 30)).ToString("0.0", Invariant) + " GiB",
        >= 1 << 20 => (bytes / (double)(1 << 20)).ToString("0.0", Invariant) + " MiB",
        >= 1 << 10 => (bytes / (double)(1 << 10)).ToString("0.0", Invariant) + " KiB",
        _ => bytes.ToString(Invariant) + " B",
    };

    public static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static Color ColorOf(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => Color.Error,
        AlertSeverity.Warning => Color.Warning,
        _ => Color.Info,
    };

    public static Color ColorOf(IncidentStatus status) => status switch
    {
        IncidentStatus.Triggered => Color.Error,
        IncidentStatus.Acknowledged => Color.Warning,
        IncidentStatus.Resolved => Color.Success,
        _ => Color.Default,
    };
}
