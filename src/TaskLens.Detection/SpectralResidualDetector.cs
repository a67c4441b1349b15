using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace TaskLens.Detection;

/// <summary>
/// Spikes and dips by the spectral residual (SR) of Ren et al., "Time-Series Anomaly Detection Service at Microsoft"
/// (KDD 2019), run causally: over the last points up to the current one, extended by a few estimated future points
/// (so the current point is not at the window's edge), the log amplitude spectrum minus its
/// local average is the spectral residual; transformed back with the original phases it gives a saliency map. The
/// current point's score is its saliency over the mean saliency of the points before it, less one; from
/// <see cref="Settings.Threshold"/> it is anomalous. The expected value shown is the mean of those earlier points, with
/// their ±3σ as the band (SR has no band of its own). One departure from the paper: the estimated points are the mean
/// of the earlier points, not the paper's extrapolation along the average gradient — that extrapolation continues a
/// spike on the current point into a plateau, and a plateau's first point is not salient (a 30σ spike scored below
/// zero in our tests).
/// </summary>
public sealed class SpectralResidualDetector : IAnomalyDetector
{
    private readonly Settings _settings;
    private readonly Complex[] _spectrum;
    private readonly double[] _logAmplitude;
    private readonly double[] _recent;
    private long _seen;

    public SpectralResidualDetector(Settings? settings = null)
    {
        _settings = Validate(settings ?? new Settings());
        _spectrum = new Complex[_settings.Window];
        _logAmplitude = new double[_settings.Window];
        _recent = new double[_settings.Window - _settings.Extension];
    }

    /// <param name="Window">FFT length (a power of two), the estimated points included.</param>
    /// <param name="Extension">Estimated future points appended (the paper's κ).</param>
    /// <param name="AverageWindow">Width of the moving average over the log amplitude spectrum (the paper's q).</param>
    /// <param name="ScoreWindow">Earlier points whose mean saliency the current point is compared with (the paper's z).</param>
    /// <param name="Threshold">Relative saliency at which a point is anomalous (the paper's τ; its 3 fires on plain Gaussian noise here).</param>
    public sealed record Settings(int Window = 64, int Extension = 5, int AverageWindow = 3, int ScoreWindow = 21, double Threshold = 10);

    public string Name => "spectral-residual";

    public double Threshold => _settings.Threshold;

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        Add(value);
        var score = ScoreLatest(out var mean, out var sigma);
        if (double.IsNaN(score) || score < _settings.Threshold)
        {
            return null;
        }

        return new Anomaly(timestamp, value, mean, mean - (3 * sigma), mean + (3 * sigma), score, Name);
    }

    /// <summary>Takes the next point without scoring it (the FFT is paid only when <see cref="ScoreLatest"/> is asked).</summary>
    public void Add(double value)
    {
        _recent[_seen % _recent.Length] = value;
        _seen++;
    }

    /// <summary>
    /// The relative saliency of the last point added; NaN before a full window or on a flat stretch. Also gives the
    /// mean and σ of the points before it (the expected value and band shown).
    /// </summary>
    public double ScoreLatest(out double mean, out double sigma)
    {
        (mean, sigma) = (0, 0);
        var length = _recent.Length;
        if (_seen < length)
        {
            return double.NaN;
        }

        // The window in time order: the actual points, then the estimated ones.
        var current = length - 1;
        for (var i = 0; i < length; i++)
        {
            _spectrum[i] = new Complex(_recent[(_seen + i) % length], 0);
        }

        var estimate = MeanAndSigma(0, current).Mean;
        for (var i = length; i < _spectrum.Length; i++)
        {
            _spectrum[i] = new Complex(estimate, 0);
        }

        (mean, sigma) = MeanAndSigma(current - _settings.ScoreWindow, current);
        var value = _spectrum[current].Real;
        return sigma == 0 && value == mean ? double.NaN : RelativeSaliency(current); // a flat stretch: nothing salient
    }

    private double RelativeSaliency(int current)
    {
        var n = _spectrum.Length;
        Fourier.Forward(_spectrum, FourierOptions.NoScaling);
        for (var k = 0; k < n; k++)
        {
            _logAmplitude[k] = Math.Log(Math.Max(_spectrum[k].Magnitude, 1e-12));
        }

        // Spectral residual: log amplitude minus its trailing moving average (as the SR reference implementation: the
        // zero frequency is then its own average, so the series' level does not drown the saliency); back with the
        // original phases.
        var q = _settings.AverageWindow;
        for (var k = n - 1; k >= 0; k--)
        {
            double sum = 0;
            var first = Math.Max(0, k - q + 1);
            for (var j = first; j <= k; j++)
            {
                sum += _logAmplitude[j];
            }

            var magnitude = _spectrum[k].Magnitude;
            var residual = Math.Exp(_logAmplitude[k] - (sum / (k - first + 1)));
            _spectrum[k] = magnitude < 1e-12 ? Complex.Zero : _spectrum[k] / magnitude * residual;
        }

        Fourier.Inverse(_spectrum, FourierOptions.NoScaling);
        double earlier = 0;
        var from = current - _settings.ScoreWindow;
        for (var i = from; i < current; i++)
        {
            earlier += _spectrum[i].Magnitude;
        }

        earlier /= _settings.ScoreWindow;
        return earlier <= 0 ? double.NaN : (_spectrum[current].Magnitude - earlier) / earlier;
    }

    private (double Mean, double Sigma) MeanAndSigma(int from, int to)
    {
        double sum = 0, squares = 0;
        for (var i = from; i < to; i++)
        {
            var v = _spectrum[i].Real;
            sum += v;
            squares += v * v;
        }

        var count = to - from;
        var mean = sum / count;
        return (mean, Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean))));
    }

    private static Settings Validate(Settings settings)
    {
        if (settings.Window < 16 || (settings.Window & (settings.Window - 1)) != 0)
        {
            throw new ArgumentException("The spectral residual window must be a power of two of at least 16.", nameof(settings));
        }

        if (settings.Extension < 1 || settings.ScoreWindow + 1 > settings.Window - settings.Extension)
        {
            throw new ArgumentException("The spectral residual extension and score window must fit in its window.", nameof(settings));
        }

        return settings;
    }
}
