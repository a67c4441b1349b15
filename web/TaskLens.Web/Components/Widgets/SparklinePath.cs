using System.Globalization;
using System.Text;

namespace TaskLens.Web.Components.Widgets;

/// <summary>SVG polyline points for a sparkline; gaps (NaN) are skipped, the scale runs from 0 to the largest value.</summary>
internal static class SparklinePath
{
    public static string Of(IReadOnlyList<double> values, int width, int height)
    {
        if (values.Count == 0)
        {
            return "";
        }

        var max = values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
        var scale = max > 0 ? (height - 2) / max : 0;
        var step = values.Count > 1 ? (double)width / (values.Count - 1) : 0;
        var text = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                text.Append(CultureInfo.InvariantCulture, $"{i * step:0.#},{height - 1 - (values[i] * scale):0.#} ");
            }
        }

        return text.ToString().TrimEnd();
    }
}
