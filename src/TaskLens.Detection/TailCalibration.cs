namespace TaskLens.Detection;

/// <summary>
/// Turns a detector's score into a probability-like figure learnt from the series itself, with exponential forgetting
/// (each new score ages the others by 1 − 1/<c>memory</c>). Scores are kept in a histogram of logarithmic bins (eight a
/// doubling, from 2⁻⁴ to 2²⁸); a score in the same bin counts as at least as large (the figure errs on the side of not
/// alerting).
/// <list type="bullet">
/// <item>Among the common scores: the share of past scores at least as large, (1 + exceeding) ÷ (1 + all).</item>
/// <item>In the top <see cref="TailShare"/> the tail is extrapolated as peaks over a threshold — an exponential tail,
/// the generalized Pareto distribution with shape 0, as in Siffer et al., "Anomaly Detection in Streams with Extreme
/// Value Theory" (KDD 2017): the share beyond the threshold × exp(−excess ÷ the mean excess). So a score far beyond
/// anything seen gets a probability far below 1 ÷ memory, which a plain count cannot give.</item>
/// <item>But never below the count: a score the series has shown lately (at least as large, within the memory) is as
/// common as the count says however thin the fitted tail is — a spike that recurs every few hours is not news the
/// second time.</item>
/// </list>
/// The cumulative counts behind the figures are refreshed every <see cref="RefreshEvery"/> scores (a probability costs
/// O(1), a score amortized O(bins ÷ <see cref="RefreshEvery"/>)).
/// </summary>
internal sealed class TailCalibration(int memory)
{
    /// <summary>The share of the (remembered) scores above the threshold of the extrapolated tail.</summary>
    public const double TailShare = 0.01;

    /// <summary>The smallest probability given (evidence 30): scores stay finite.</summary>
    public const double MinProbability = 1e-30;

    private const int RefreshEvery = 16;
    private const int BinsPerDoubling = 8;
    private const int LowestExponent = -4;
    private const int Bins = 32 * BinsPerDoubling;

    /// <summary>Remembered scores needed above the tail's threshold before it is extrapolated at all.</summary>
    private const double MinTailPoints = 10;

    private static readonly double[] Centres = Enumerable.Range(0, Bins).Select(b => Math.Pow(2, LowestExponent + ((b + 0.5) / BinsPerDoubling))).ToArray();

    private readonly double[] _counts = new double[Bins];
    private readonly double[] _atLeast = new double[Bins + 1]; // stored units; refreshed
    private readonly double _keep = 1 - (1.0 / memory);
    private double _scale = 1; // counts are stored divided by the running decay, so aging is one multiplication
    private double _total;
    private int _sinceRefresh = int.MaxValue;
    private int _tailBin = Bins; // first bin of the extrapolated tail (Bins: none)
    private double _tailThreshold;
    private double _tailMass; // stored units
    private double _tailMeanExcess;

    /// <summary>
    /// Starts from a prior: <paramref name="weight"/> pseudo-scores spread as <paramref name="tail"/> says (the share of
    /// scores above a value), so a young series is judged by a reference shape until its own history outweighs it.
    /// </summary>
    public void Seed(Func<double, double> tail, double weight)
    {
        ArgumentNullException.ThrowIfNull(tail);
        for (var b = 0; b < Bins; b++)
        {
            var low = Edge(b);
            var high = b == Bins - 1 ? double.PositiveInfinity : Edge(b + 1);
            var mass = weight * (tail(low) - (double.IsPositiveInfinity(high) ? 0 : tail(high))) / _scale;
            _counts[b] += mass;
            _total += mass;
        }

        _sinceRefresh = int.MaxValue;
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
        if (_sinceRefresh != int.MaxValue)
        {
            _sinceRefresh++;
        }
    }

    /// <summary>
    /// How often the series has scored at least <paramref name="score"/>: 1 for a score it often shows, far below
    /// 1 ÷ memory for one far beyond anything it showed; never below <see cref="MinProbability"/>.
    /// </summary>
    public double TailProbability(double score)
    {
        if (_sinceRefresh >= RefreshEvery)
        {
            Refresh();
        }

        var from = Bin(score);
        var total = _total * _scale;
        var atLeast = _atLeast[from] * _scale;
        var counted = Math.Min(1, (1 + atLeast) / (1 + total));
        if (from < _tailBin)
        {
            return counted;
        }

        var share = (1 + (_tailMass * _scale)) / (1 + total);
        var fitted = _tailMeanExcess > 0 ? share * Math.Exp(-Math.Max(0, score - _tailThreshold) / _tailMeanExcess) : share;

        // A score seen lately (half a remembered score or more at least as large) is as common as counted.
        return Math.Max(MinProbability, atLeast >= 0.5 ? Math.Max(counted, fitted) : fitted);
    }

    /// <summary>Cumulative counts from the top, and the tail: the fewest top bins holding <see cref="TailShare"/> of all.</summary>
    private void Refresh()
    {
        _atLeast[Bins] = 0;
        for (var b = Bins - 1; b >= 0; b--)
        {
            _atLeast[b] = _atLeast[b + 1] + _counts[b];
        }

        var needed = Math.Max(MinTailPoints / _scale, TailShare * _total);
        _tailBin = Bins;
        double sumCentres = 0;
        for (var b = Bins - 1; b > 0; b--)
        {
            if (_atLeast[b] >= needed)
            {
                break;
            }

            sumCentres += _counts[b] * Centres[b];
            _tailBin = b;
        }

        // The tail is the bins from _tailBin up (less than the share); its threshold is that bin's lower edge.
        if (_tailBin == Bins || _atLeast[_tailBin] <= 0 || _atLeast[0] < needed)
        {
            _tailBin = Bins;
        }
        else
        {
            _tailThreshold = Edge(_tailBin);
            _tailMass = _atLeast[_tailBin];
            _tailMeanExcess = (sumCentres / _tailMass) - _tailThreshold;
        }

        _sinceRefresh = 0;
    }

    private static double Edge(int bin) => bin == 0 ? 0 : Math.Pow(2, LowestExponent + ((double)bin / BinsPerDoubling));

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
        _sinceRefresh = int.MaxValue;
    }
}
