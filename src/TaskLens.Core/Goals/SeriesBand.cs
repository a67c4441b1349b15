namespace TaskLens.Core.Goals;

/// <summary>
/// The normal range drawn behind a goal's series: for each step, the median of the previous <see cref="Window"/> steps
/// ± <see cref="Spreads"/> robust spreads (the larger of 1.4826 × MAD and 1.2533 × the mean absolute deviation, as the
/// flat model of the robust-seasonal detector reads its spread). Causal, like the detectors: a step never widens its
/// own band. Steps with too little history, or without a value, have no band (NaN).
/// </summary>
public static class SeriesBand
{
    public const int Window = 30;
    public const int MinHistory = 5;
    public const double Spreads = 3;

    public static (double[] Lower, double[] Upper) Compute(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var lower = new double[values.Count];
        var upper = new double[values.Count];
        var recent = new List<double>(Window);
        var sorted = new List<double>(Window);
        var deviations = new List<double>(Window);
        for (var i = 0; i < values.Count; i++)
        {
            lower[i] = upper[i] = double.NaN;
            if (recent.Count >= MinHistory && !double.IsNaN(values[i]))
            {
                sorted.Clear();
                sorted.AddRange(recent);
                sorted.Sort();
                var median = Median(sorted);
                deviations.Clear();
                var sumAbs = 0.0;
                foreach (var v in sorted)
                {
                    deviations.Add(Math.Abs(v - median));
                    sumAbs += Math.Abs(v - median);
                }

                deviations.Sort();
                var spread = Math.Max(1.4826 * Median(deviations), 1.2533 * sumAbs / sorted.Count);
                lower[i] = median - (Spreads * spread);
                upper[i] = median + (Spreads * spread);
            }

            if (!double.IsNaN(values[i]))
            {
                if (recent.Count == Window)
                {
                    recent.RemoveAt(0);
                }

                recent.Add(values[i]);
            }
        }

        return (lower, upper);
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
