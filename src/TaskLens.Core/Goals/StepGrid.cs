namespace TaskLens.Core.Goals;

/// <summary>The step starts of a window, aligned as ClickHouse buckets them (multiples of the step since the epoch).</summary>
public static class StepGrid
{
    /// <summary>At most this many steps: a longer window is read with a coarser step.</summary>
    public const int MaxSteps = 20_000;

    public static IReadOnlyList<DateTimeOffset> Of(DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        var seconds = Math.Max(60, (long)step.TotalMinutes * 60);
        var first = from.ToUnixTimeSeconds() / seconds * seconds;
        var steps = new List<DateTimeOffset>();
        for (var t = first; t < to.ToUnixTimeSeconds() && steps.Count < MaxSteps; t += seconds)
        {
            steps.Add(DateTimeOffset.FromUnixTimeSeconds(t));
        }

        return steps;
    }

    /// <summary>A whole-minute step that puts at most <paramref name="maxSteps"/> steps in the window.</summary>
    public static TimeSpan For(DateTimeOffset from, DateTimeOffset to, int maxSteps)
    {
        var minutes = Math.Max(1, (long)Math.Ceiling((to - from).TotalMinutes / Math.Max(1, maxSteps)));
        return TimeSpan.FromMinutes(minutes);
    }
}
