namespace TaskLens.Detection;

/// <summary>
/// Turns a detector's score into a probability-like figure learnt from the series itself: the share of its past
/// scores at least as large, (1 + exceeding) ÷ (1 + all), with exponential forgetting (each new score ages the others by
/// 1 − 1/<c>memory</c>). Scores are kept in a histogram of logarithmic bins (eight a doubling, from 2⁻⁴ to 2²⁸), so a score
/// costs one bin update and a probability one pass over the bins above it; a score in the same bin counts as at least
/// as large (the figure errs on the side of not alerting).
/// </summary>
internal sealed class TailCalibration(int memory)
{
    private const int BinsPerDoubling = 8;
    private const int LowestExponent = -4;
    private const int Bins = 32 * BinsPerDoubling;
    private readonly double[] _counts = new double[Bins];
    private readonly double _keep = 1 - (1.0 / memory);
    private double _scale = 1; // counts are stored divided by the running decay, so aging is one multiplication
    private double _total;

    /// <summary>
    /// Starts from a prior: <paramref name="weight"/> pseudo-scores spread as <paramref name="tail"/> says (the share of
    /// scores above a value), so a young series is judged by a reference shape until its own history outweighs it.
    /// </summary>
    public void Seed(Func<double, double> tail, double weight)
    {
        ArgumentNullException.ThrowIfNull(tail);
        for (var b = 0; b < Bins; b++)
        {
            var low = b == 0 ? 0 : Math.Pow(2, LowestExponent + ((double)b / BinsPerDoubling));
            var high = b == Bins - 1 ? double.PositiveInfinity : Math.Pow(2, LowestExponent + ((double)(b + 1) / BinsPerDoubling));
            var mass = weight * (tail(low) - (double.IsPositiveInfinity(high) ? 0 : tail(high))) / _scale;
            _counts[b] += mass;
            _total += mass;
        }
    }

    public void Learn(double score)
    {
        if (!double.IsFinite(score))
        {
            return;
        }

        _scale *= _keep;
        if (_scale < 1e-200)
        {
            Rescale();
        }

        var weight = 1 / _scale;
        _counts[Bin(score)] += weight;
        _total += weight;
    }

    /// <summary>(1 + past scores at least this large) ÷ (1 + past scores): 1 for a score the series often shows.</summary>
    public double TailProbability(double score)
    {
        var from = Bin(score);
        double above = 0;
        for (var b = from; b < Bins; b++)
        {
            above += _counts[b];
        }

        return (1 + (above * _scale)) / (1 + (_total * _scale));
    }

    private static int Bin(double score)
    {
        if (!(score > 0))
        {
            return 0;
        }

        var bin = (int)Math.Floor((Math.Log2(score) - LowestExponent) * BinsPerDoubling);
        return Math.Clamp(bin, 0, Bins - 1);
    }

    private void Rescale()
    {
        for (var b = 0; b < Bins; b++)
        {
            _counts[b] *= _scale;
        }

        _total *= _scale;
        _scale = 1;
    }
}
