namespace TaskLens.Detection;

/// <summary>
/// Bayesian online change-point detection (Adams and MacKay, "Bayesian Online Changepoint Detection", 2007) over a
/// baseline's deviations in spreads: the posterior over the current run length (points since the last change), each
/// run's mean unknown (a normal prior of variance <see cref="PriorVariance"/> around 0, the baseline's expectation)
/// and its noise unit (deviations are already in spreads). A constant hazard of 1 ÷ <paramref name="meanRun"/>. The
/// hypotheses are kept at most <paramref name="hypotheses"/>, the least probable dropped first (Adams and MacKay's own
/// pruning), so a point costs O(hypotheses). <see cref="Add"/> answers how strongly the run that was going on has ended
/// lately: −log₁₀ of the posterior that the current run is longer than <paramref name="recent"/> points.
/// </summary>
internal sealed class RunLengthPosterior(double meanRun = 250, int hypotheses = 24, int recent = 8)
{
    /// <summary>The prior variance of a run's mean, in spreads²: a new level a few spreads off is unsurprising.</summary>
    private const double PriorVariance = 4;

    /// <summary>Run lengths whose predictive factors are tabulated; longer runs use the last (their variance is within 0.1% of it).</summary>
    private const int Tabulated = 1024;

    // Per run length n, shared by every series: the predictive's −1/(2·variance) and 1/√variance, its variance being
    // 1 + 1/(1/PriorVariance + n) — so a hypothesis costs one Exp and one division a point.
    private static readonly double[] Exponent = Tabulate(n => -0.5 / (1 + (1 / ((1 / PriorVariance) + n))));
    private static readonly double[] Density = Tabulate(n => 1 / Math.Sqrt(1 + (1 / ((1 / PriorVariance) + n))));

    private readonly double _hazard = 1 / meanRun;
    private readonly double[] _mass = new double[hypotheses];
    private readonly int[] _length = new int[hypotheses];
    private readonly double[] _sum = new double[hypotheses];
    private int _count;
    private long _seen;

    /// <summary>The mean deviation of the most probable recent run (within <c>recent</c> points), signed; 0 when none.</summary>
    public double RecentMean { get; private set; }

    /// <summary>Takes the next deviation; returns −log₁₀ P(run length &gt; recent), 0 when the old run surely goes on.</summary>
    public double Add(double deviation)
    {
        var x = Math.Clamp(deviation, -4, 4);
        if (_count == 0)
        {
            _mass[0] = 1;
            _length[0] = 0;
            _sum[0] = 0;
            _count = 1;
        }

        // Growth: each run's mass times the predictive density of x under it; a change takes the hazard's share of all.
        var changed = 0.0;
        var total = 0.0;
        for (var i = 0; i < _count; i++)
        {
            var n = Math.Min(_length[i], Tabulated - 1);
            var d = x - (_sum[i] / ((1 / PriorVariance) + _length[i]));
            var joint = _mass[i] * Math.Exp(Exponent[n] * d * d) * Density[n];
            changed += joint * _hazard;
            _mass[i] = joint * (1 - _hazard);
            total += joint;
            _length[i]++;
            _sum[i] += x;
        }

        if (!(total > 0))
        {
            // Every run made x impossible at double precision: the change is certain.
            _count = 0;
            RecentMean = x;
            return 30;
        }

        // The new run (length 0, prior parameters) replaces the least probable when full.
        var slot = _count;
        if (_count == _mass.Length)
        {
            slot = 0;
            for (var i = 1; i < _count; i++)
            {
                if (_mass[i] < _mass[slot])
                {
                    slot = i;
                }
            }
        }
        else
        {
            _count++;
        }

        _mass[slot] = changed;
        _length[slot] = 0;
        _sum[slot] = 0;

        var norm = 0.0;
        for (var i = 0; i < _count; i++)
        {
            norm += _mass[i];
        }

        var longer = 0.0;
        var best = -1;
        for (var i = 0; i < _count; i++)
        {
            _mass[i] /= norm;
            if (_length[i] > recent)
            {
                longer += _mass[i];
            }
            else if (_length[i] > 0 && (best < 0 || _mass[i] > _mass[best]))
            {
                best = i;
            }
        }

        RecentMean = best < 0 ? 0 : _sum[best] / _length[best];

        // Until the first run is longer than `recent`, every hypothesis is recent: no evidence yet.
        if (++_seen <= recent)
        {
            return 0;
        }

        return Math.Min(30, -Math.Log10(Math.Max(longer, 1e-30)));
    }

    private static double[] Tabulate(Func<int, double> f)
    {
        var table = new double[Tabulated];
        for (var n = 0; n < Tabulated; n++)
        {
            table[n] = f(n);
        }

        return table;
    }
}
