namespace TaskLens.Detection.Scoring;

/// <summary>
/// Scores alerts the way a pager sees them (the scoring of <c>../shared/data/nab/README.md</c>): alerts on points no
/// more than <see cref="MaxGapSteps"/> steps apart form one event, placed at its first point; a window is detected
/// when at least one event starts inside it (once, however many do); every event starting outside all windows is a
/// false positive.
/// </summary>
public static class EventScoring
{
    public const int MaxGapSteps = 3;

    /// <param name="timestamps">Every point of the series, in order.</param>
    /// <param name="alerted">Positions (into <paramref name="timestamps"/>) of the points alerted on, ascending.</param>
    /// <param name="windows">The series' labelled windows.</param>
    public static EventScore Score(IReadOnlyList<DateTimeOffset> timestamps, IReadOnlyList<int> alerted, IReadOnlyList<LabelledWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(alerted);
        ArgumentNullException.ThrowIfNull(windows);
        var detected = new bool[windows.Count];
        int falsePositives = 0, events = 0;
        for (var i = 0; i < alerted.Count; i++)
        {
            if (i > 0 && alerted[i] - alerted[i - 1] <= MaxGapSteps)
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
