namespace TaskLens.Detection.Scoring;

/// <summary>
/// Scores alerts the way a pager sees them (the scoring of <c>../shared/data/nab/README.md</c>): alerts on points no
/// more than <see cref="MaxGapSteps"/> steps apart form one event, placed at its first point; a window is detected
/// when at least one event starts inside it (once, however many do); every event starting outside all windows is a
/// false positive. <see cref="NabProbation"/> gives NAB's own probationary period, an optional second rule.
/// </summary>
public static class EventScoring
{
    public const int MaxGapSteps = 3;

    /// <summary>The share of each file NAB's scorer leaves unscored at its start.</summary>
    public const double ProbationShare = 0.15;

    /// <summary>The most points NAB's probationary period lasts (15% of 5,000).</summary>
    public const int MaxProbationPoints = 750;

    /// <summary>
    /// NAB's probationary period for a file of <paramref name="points"/> points: its first 15%, at most 750 points — the
    /// detector learns there, and NAB's scorer (<c>nab/sweeper.py</c>, github.com/numenta/NAB) drops every detection in
    /// it; NAB's labels leave it unlabelled.
    /// </summary>
    public static int NabProbation(int points) => Math.Min((int)Math.Floor(ProbationShare * points), MaxProbationPoints);

    /// <param name="timestamps">Every point of the series, in order.</param>
    /// <param name="alerted">Positions (into <paramref name="timestamps"/>) of the points alerted on, ascending.</param>
    /// <param name="windows">The series' labelled windows.</param>
    /// <param name="probation">
    /// Points at the start whose alerts are dropped before scoring (0: none, the README's rule; <see cref="NabProbation"/>:
    /// NAB's own). An event that began there and goes on after it starts at its first point after it.
    /// </param>
    public static EventScore Score(IReadOnlyList<DateTimeOffset> timestamps, IReadOnlyList<int> alerted, IReadOnlyList<LabelledWindow> windows, int probation = 0)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(alerted);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegative(probation);
        var detected = new bool[windows.Count];
        int falsePositives = 0, events = 0;
        for (var i = 0; i < alerted.Count; i++)
        {
            if (alerted[i] < probation)
            {
                continue;
            }

            if (i > 0 && alerted[i - 1] >= probation && alerted[i] - alerted[i - 1] <= MaxGapSteps)
            {
                continue; // the same event as the alert before it
            }

            events++;
            var start = timestamps[alerted[i]];
            var inside = false;
            for (var w = 0; w < windows.Count; w++)
            {
                if (start >= windows[w].Start && start <= windows[w].End)
                {
                    detected[w] = true;
                    inside = true;
                }
            }

            falsePositives += inside ? 0 : 1;
        }

        return new EventScore(detected.Count(d => d), falsePositives, windows.Count, events);
    }
}
