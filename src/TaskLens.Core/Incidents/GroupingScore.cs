namespace TaskLens.Core.Incidents;

/// <summary>
/// How a grouping of alerts compares with the truth: compression (1 − groups ÷ alerts) and pairwise precision and
/// recall — of the pairs of alerts put in one group, the share truly together; of the pairs truly together, the share
/// put in one group.
/// </summary>
public sealed record GroupingScore(int Alerts, int TrueGroups, int Groups, long TogetherPairs, long TrulyTogetherPairs, long RightPairs)
{
    public double Compression => Alerts == 0 ? 0 : 1 - ((double)Groups / Alerts);
    public double Precision => TogetherPairs == 0 ? 1 : (double)RightPairs / TogetherPairs;
    public double Recall => TrulyTogetherPairs == 0 ? 1 : (double)RightPairs / TrulyTogetherPairs;

    /// <param name="truth">Each alert's true group.</param>
    /// <param name="predicted">Each alert's group as decided (same order).</param>
    public static GroupingScore Of(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException("Truth and prediction must cover the same alerts.", nameof(predicted));
        }

        static long Pairs(long n) => n * (n - 1) / 2;
        return new GroupingScore(
            truth.Count,
            truth.Distinct().Count(),
            predicted.Distinct().Count(),
            predicted.GroupBy(p => p).Sum(g => Pairs(g.Count())),
            truth.GroupBy(t => t).Sum(g => Pairs(g.Count())),
            truth.Zip(predicted).GroupBy(p => p).Sum(g => Pairs(g.Count())));
    }

    public static GroupingScore operator +(GroupingScore a, GroupingScore b) =>
        new(a.Alerts + b.Alerts, a.TrueGroups + b.TrueGroups, a.Groups + b.Groups, a.TogetherPairs + b.TogetherPairs,
            a.TrulyTogetherPairs + b.TrulyTogetherPairs, a.RightPairs + b.RightPairs);
}
