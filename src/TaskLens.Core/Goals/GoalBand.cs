namespace TaskLens.Core.Goals;

/// <summary>
/// One watched metric of a goal, one entry per step: the value the detector saw (NaN where it saw none) and the
/// expected value and limits it judged that value against (NaN while it had too little history).
/// </summary>
/// <param name="Metric">The detection metric's name, as findings carry it (<c>completion_rate</c>, <c>cost</c>, …).</param>
/// <param name="Label">The metric in words.</param>
/// <param name="Unit"><c>share</c> (0 to 1), <c>ms</c>, <c>$</c> or empty for counts.</param>
public sealed record GoalBand(string Metric, string Label, string Unit, double[] Values, double[] Expected, double[] Lower, double[] Upper)
{
    /// <summary>
    /// One point per <paramref name="steps"/> steps (groups of that many consecutive steps from the first): each group
    /// shows its most unusual step — the farthest from its expected value in units of its limits — with that step's
    /// limits, so a thinned chart keeps every excursion the detector saw. One step per point returns this band.
    /// </summary>
    public GoalBand Thin(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (steps == 1)
        {
            return this;
        }

        var points = (Values.Length + steps - 1) / steps;
        var (values, expected, lower, upper) = (new double[points], new double[points], new double[points], new double[points]);
        for (var p = 0; p < points; p++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = p * steps; i < Math.Min(Values.Length, (p + 1) * steps); i++)
            {
                var score = Unusualness(i);
                if (score >= bestScore && !double.IsNaN(Values[i]))
                {
                    (best, bestScore) = (i, score);
                }
            }

            (values[p], expected[p], lower[p], upper[p]) = best < 0
                ? (double.NaN, double.NaN, double.NaN, double.NaN)
                : (Values[best], Expected[best], Lower[best], Upper[best]);
        }

        return this with { Values = values, Expected = expected, Lower = lower, Upper = upper };
    }

    /// <summary>How far a step's value lies from its expected value, as a share of the distance to the limit on its side; 0 without limits.</summary>
    private double Unusualness(int i)
    {
        if (double.IsNaN(Expected[i]))
        {
            return 0;
        }

        var distance = Values[i] - Expected[i];
        var room = distance >= 0 ? Upper[i] - Expected[i] : Expected[i] - Lower[i];
        return Math.Abs(distance) / Math.Max(room, 1e-12);
    }
}
