namespace TaskLens.Benchmarks.Load;

/// <summary>
/// One sample of a Prometheus text scrape (<see cref="PrometheusText"/>): the metric's name as exposed (a histogram's
/// buckets are <c>name_bucket</c> with an <c>le</c> label), its labels in the order the line gives them, unescaped, and
/// its value (<c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> included).
/// </summary>
internal sealed record PrometheusSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, null when the sample has none.</summary>
    public string? Label(string name)
    {
        foreach (var (key, value) in Labels)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A histogram bucket's upper bound (its <c>le</c> label, <c>+Inf</c> for the last); null for other samples.</summary>
    public double? UpperBound => Label("le") is { } le ? PrometheusText.ParseValue(le) : null;
}
