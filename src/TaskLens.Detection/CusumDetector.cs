namespace TaskLens.Detection;

/// <summary>
/// Level shifts, by a two-sided CUSUM on robust z-scores: each point's distance from the median of the recent points,
/// in robust spreads (capped at <see cref="Settings.MaxStep"/>, so one spike alone cannot raise it — spikes are the
/// other detectors' concern), less an allowance of <see cref="Settings.Drift"/>, is summed upward and downward; a sum
/// reaching <see cref="Settings.Limit"/> is a level shift. Then the baseline is learnt afresh from the new level, and
/// the detector stays silent until it has <see cref="Settings.MinHistory"/> points of it.
/// </summary>
public sealed class CusumDetector : IAnomalyDetector
{
    private readonly Settings _settings;
    private SortedWindow _baseline;
    private double _up;
    private double _down;

    public CusumDetector(Settings? settings = null)
    {
        _settings = settings ?? new Settings();
        _baseline = new SortedWindow(_settings.Window);
    }

    /// <param name="Window">Points in the baseline's median and spread.</param>
    /// <param name="Drift">Allowance per point, in spreads: smaller shifts are not accumulated.</param>
    /// <param name="Limit">Accumulated spreads at which a shift is declared.</param>
    /// <param name="MaxStep">Cap on one point's contribution, in spreads.</param>
    /// <param name="MinHistory">Baseline points needed before (and after each shift before) points are judged.</param>
    public sealed record Settings(int Window = 512, double Drift = 1, double Limit = 60, double MaxStep = 4, int MinHistory = 300);

    public string Name => "cusum";

    public double Threshold => _settings.Limit;

    /// <summary>
    /// The last point's accumulated shift in spreads, signed (positive upward), before any reset; 0 while the baseline
    /// is being learnt. The combined detector calibrates it into evidence of a level shift.
    /// </summary>
    public double LastStatistic { get; private set; }

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        Anomaly? anomaly = null;
        LastStatistic = 0;
        if (_baseline.Count >= _settings.MinHistory)
        {
            var expected = _baseline.Median;
            var spread = RobustSpread(_baseline, expected);
            var z = Math.Clamp((value - expected) / spread, -_settings.MaxStep, _settings.MaxStep);
            _up = Math.Max(0, _up + z - _settings.Drift);
            _down = Math.Max(0, _down - z - _settings.Drift);
            var sum = Math.Max(_up, _down);
            LastStatistic = _up >= _down ? _up : -_down;
            if (sum >= _settings.Limit)
            {
                var band = _settings.Drift * spread;
                anomaly = new Anomaly(timestamp, value, expected, expected - band, expected + band, sum, Name, AnomalyKind.LevelShift);
                _up = _down = 0;
                _baseline = new SortedWindow(_settings.Window);
            }
        }

        _baseline.Add(value);
        return anomaly;
    }

    /// <summary>
    /// Interquartile range as a normal-consistent spread; half the standard deviation when larger (a series that is
    /// mostly one value with habitual spikes has no interquartile range); never zero.
    /// </summary>
    private static double RobustSpread(SortedWindow window, double level) =>
        Math.Max(
            Math.Max((window.Quantile(0.75) - window.Quantile(0.25)) / 1.349, window.StandardDeviation / 2),
            Math.Max(1e-9, 0.01 * Math.Abs(level)));
}
