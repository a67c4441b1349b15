using System.Globalization;

namespace TaskLens.Web.Components.Widgets;

/// <summary>What the chart module draws, as JSON: gaps (NaN) become null, which JSON and uPlot both understand.</summary>
internal static class ChartSpec
{
    public static object Of(
        string label, IReadOnlyList<long> times, IReadOnlyList<double> values, IReadOnlyList<double>? lower, IReadOnlyList<double>? upper,
        IReadOnlyList<ChartMarker> markers, int height) => new
        {
            label,
            height,
            times,
            values = Gaps(values),
            lower = lower is null ? null : Gaps(lower),
            upper = upper is null ? null : Gaps(upper),
            markers = markers.Select(m => new { t = m.UnixSeconds, kind = m.Kind, severity = m.Severity }),
        };

    public static string Describe(string caption, IReadOnlyList<double> values, int markers)
    {
        var last = values.LastOrDefault(v => !double.IsNaN(v), double.NaN);
        return string.Create(CultureInfo.InvariantCulture, $"{caption}: {values.Count} steps, latest {Formats.Number(last)}, {markers} markers");
    }

    private static double?[] Gaps(IReadOnlyList<double> values)
    {
        var result = new double?[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            result[i] = double.IsNaN(values[i]) || double.IsInfinity(values[i]) ? null : values[i];
        }

        return result;
    }
}
