namespace TaskLens.Detection;

/// <summary>
/// A slow score: the mean of the last <c>points</c> values, calibrated against the series' own means of earlier windows
/// (<see cref="TailCalibration"/>) into evidence, −log₁₀ of how often the series has shown as large a mean. Means are
/// learnt <b>a window late</b> — such a score rises slowly, and were each learnt at once, an episode's own earlier means
/// would make each later one look usual; only means of a full window are judged or learnt; and nothing is judged until
/// two windows and <c>warmUp</c> (time, not points, so it means the same at any step) of means have been learnt.
/// </summary>
internal sealed class LaggedMeanScore
{
    private readonly MeanWindow _window;
    private readonly TailCalibration _calibration;
    private readonly double[] _lag;
    private readonly TimeSpan _warmUp;
    private long _judged;
    private DateTimeOffset _since;

    /// <param name="points">Values in each mean.</param>
    /// <param name="memory">Means the calibration remembers.</param>
    /// <param name="warmUp">Time of means learnt before the first is judged.</param>
    /// <param name="prior">The share of means above a value the calibration starts from, and its weight in means.</param>
    public LaggedMeanScore(int points, int memory, TimeSpan warmUp, Func<double, double> prior, double priorWeight)
    {
        _window = new MeanWindow(points);
        _calibration = new TailCalibration(memory);
        _calibration.Seed(prior, priorWeight);
        _lag = new double[points];
        _warmUp = warmUp;
    }

    /// <summary>Adds a value; returns the mean of the window (judge it with <see cref="Evidence"/> next).</summary>
    public double Add(double value) => _window.Add(value);

    /// <summary>
    /// The evidence of the mean just returned by <see cref="Add"/> (0 unless it is judged and a <paramref name="candidate"/>),
    /// then learns the mean of a window ago.
    /// </summary>
    public double Evidence(double mean, DateTimeOffset timestamp, bool candidate)
    {
        if (!_window.IsFull)
        {
            return 0;
        }

        if (_judged == 0)
        {
            _since = timestamp;
        }

        var judged = candidate && _judged >= 2 * _lag.Length && timestamp - _since >= _warmUp;
        var evidence = judged ? -Math.Log10(_calibration.TailProbability(Math.Abs(mean))) : 0;
        var slot = (int)(_judged % _lag.Length);
        if (_judged++ >= _lag.Length)
        {
            _calibration.Learn(_lag[slot]);
        }

        _lag[slot] = Math.Abs(mean);
        return evidence;
    }
}
