namespace TaskLens.Detection;

/// <summary>What an anomaly looks like: one point (or a few) away from the expected value, or a lasting new level.</summary>
public enum AnomalyKind
{
    /// <summary>A spike or dip: the points around it are as usual.</summary>
    Spike,

    /// <summary>A level shift: the series moved and stays there.</summary>
    LevelShift,
}
