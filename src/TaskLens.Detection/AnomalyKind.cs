namespace TaskLens.Detection;

/// <summary>What an anomaly looks like: one point (or a few) away from the expected value, a lasting new level, a slow sustained departure, or a lasting rise in how far it strays.</summary>
public enum AnomalyKind
{
    /// <summary>A spike or dip: the points around it are as usual.</summary>
    Spike,

    /// <summary>A level shift: the series moved and stays there.</summary>
    LevelShift,

    /// <summary>A drift: a slow, sustained departure — each point only a little off, but for a long time.</summary>
    Drift,

    /// <summary>Volatility: the series strays from its expected values much further than usual for a long time, either way.</summary>
    Volatility,

    /// <summary>A record: beyond everything the series showed over a long history, by a share of that range.</summary>
    Record,
}
