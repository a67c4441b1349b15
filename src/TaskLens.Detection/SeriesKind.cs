namespace TaskLens.Detection;

/// <summary>Which way is trouble for a series: the combined detector raises only deviations in that direction.</summary>
public enum SeriesKind
{
    /// <summary>Both directions (the CLI and the NAB benchmark).</summary>
    Any,

    /// <summary>Failure rate, duration, tokens, cost, fan-out: a rise is trouble.</summary>
    HigherIsWorse,

    /// <summary>Completion rate, throughput: a drop is trouble.</summary>
    LowerIsWorse,
}
