namespace TaskLens.Core.Incidents.Learning;

/// <summary>
/// The features of a pair of alerts the learnt grouping reads, in this order: shared labels (Jaccard of name=value),
/// same workload (0/1), call-graph distance (0 same, 1–2 calls, 3 none), text similarity (cosine of words), time gap
/// (minutes, capped at 120), past decisions on the pair's kinds (merges − splits), and the rules' score for the pair.
/// </summary>
public static class PairFeatures
{
    public const int Count = 7;

    /// <summary>Index of the rules' score: the baseline the learnt model must beat.</summary>
    public const int RuleScore = 6;

    public static float[] Of(double sharedLabels, bool sameWorkload, int distance, double text, TimeSpan gap, int past, double ruleScore) =>
    [
        (float)sharedLabels, sameWorkload ? 1 : 0, distance, (float)text, (float)Math.Min(120, Math.Abs(gap.TotalMinutes)), past, (float)ruleScore,
    ];

    /// <summary>Jaccard of the two alerts' label name=value pairs.</summary>
    public static double SharedLabels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shared = a.Count(l => b.TryGetValue(l.Key, out var v) && v == l.Value);
        var union = a.Count + b.Count - shared;
        return union == 0 ? 0 : (double)shared / union;
    }
}
