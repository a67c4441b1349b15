namespace TaskLens.Detection;

/// <summary>
/// A robust baseline: the expected value is the median of the recent points (the flat model) or, once two days or two
/// weeks of history exist, the median of the same time of day (or of week) in the last cycles, ±1 step (the seasonal
/// models). Whichever model has predicted the recent points best is used; a seasonal one only when it beats the flat
/// one clearly. The spread is read from the chosen model's recent errors: the largest of 1.4826 × their median (MAD),
/// the 90th percentile and the mean, each scaled to a normal σ — the same for well-behaved errors, while the latter two
/// keep series whose values mostly repeat exactly (MAD zero) or that spike as a habit from alerting on every spike. A point is
/// anomalous when it lies more than <see cref="Settings.Threshold"/> spreads from the expected value.
/// </summary>
public sealed class RobustSeasonalDetector : IAnomalyDetector
{
    private const double MadToSigma = 1.4826;
    private const double Q90ToSigma = 1.6449;
    private const double MeanAbsoluteToSigma = 1.2533;
    private const int MaxHistory = 30_000;
    private const double ErrorSmoothing = 0.01;

    private readonly Settings _settings;
    private readonly SortedWindow _level;
    private readonly Model[] _models;
    private double[] _history = [];
    private long _seen;
    private DateTimeOffset _first;

    public RobustSeasonalDetector(Settings? settings = null)
    {
        _settings = settings ?? new Settings();
        _level = new SortedWindow(_settings.Window);
        _models = [new Model("flat", 0, _settings.Window), new Model("daily", 0, _settings.Window), new Model("weekly", 0, _settings.Window)];
    }

    /// <param name="Window">Points in the flat model's median and in each model's error window.</param>
    /// <param name="Threshold">Spreads from the expected value at which a point is anomalous.</param>
    /// <param name="MinHistory">Points seen before any point is judged.</param>
    /// <param name="Cycles">Past days (or weeks) a seasonal model takes its median over.</param>
    /// <param name="SeasonalGain">A seasonal model is used when its smoothed error is below this share of the flat one's.</param>
    /// <param name="SeasonalAfter">
    /// Errors a seasonal model (and the flat one) must have made before the seasonal one may be chosen (at most
    /// <see cref="Window"/>). Until session 13 its whole error window (1,024), so a daily model that exists from two days
    /// of history was first chosen 1,024 points later (3.6 days at NAB's five-minute steps, 17 hours at one minute);
    /// <see cref="DefaultSeasonalAfter"/> lets it judge sooner (docs/detection.md, round 11).
    /// </param>
    public sealed record Settings(int Window = 1024, double Threshold = 8, int MinHistory = 300, int Cycles = 3, double SeasonalGain = 0.8, int SeasonalAfter = DefaultSeasonalAfter);

    /// <summary>
    /// Errors a seasonal model must have made before it may be chosen: chosen on NAB's choosing part (session 13),
    /// where 200–576 raised the same events (the daily windows with more evidence); 144 and fewer changed other series' events (at 144 a false level shift where the young daily model took over).
    /// </summary>
    public const int DefaultSeasonalAfter = 288;

    public string Name => "robust-seasonal";

    public double Threshold => _settings.Threshold;

    /// <summary>The model used for the last point: flat, daily or weekly (for explanations and tests).</summary>
    public string ModelInUse { get; private set; } = "flat";

    /// <summary>The last point's signed distance from the expected value, in spreads; NaN while it was not judged.</summary>
    public double LastDeviation { get; private set; } = double.NaN;

    /// <summary>The last judged point's expected value.</summary>
    public double LastExpected { get; private set; }

    /// <summary>The last judged point's spread (a normal σ's equivalent).</summary>
    public double LastSpread { get; private set; }

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        if (_seen == 1)
        {
            SetPeriods((timestamp - _first).TotalSeconds);
        }
        else if (_seen == 0)
        {
            _first = timestamp;
        }

        // Each model's prediction for this point, from earlier points only.
        _models[0].Prediction = _level.Count > 0 ? _level.Median : double.NaN;
        for (var m = 1; m < _models.Length; m++)
        {
            _models[m].Prediction = SeasonalPrediction(_models[m].Period);
        }

        var chosen = Choose();
        ModelInUse = chosen.Name;
        Anomaly? anomaly = null;
        LastDeviation = double.NaN;
        if (_seen >= _settings.MinHistory && chosen.Errors.Count >= _settings.MinHistory / 2)
        {
            var expected = chosen.Prediction;
            var spread = Spread(chosen.Errors, FloorScale(expected));
            (LastExpected, LastSpread, LastDeviation) = (expected, spread, (value - expected) / spread);
            var score = Math.Abs(value - expected) / spread;
            if (score >= _settings.Threshold)
            {
                var band = _settings.Threshold * spread;
                anomaly = new Anomaly(timestamp, value, expected, expected - band, expected + band, score, Name);
            }
        }

        foreach (var model in _models)
        {
            if (!double.IsNaN(model.Prediction))
            {
                var error = Math.Abs(value - model.Prediction);
                model.Errors.Add(error);
                model.SmoothedError = model.Errors.Count == 1 ? error : model.SmoothedError + (ErrorSmoothing * (error - model.SmoothedError));
            }
        }

        _level.Add(value);
        if (_history.Length > 0)
        {
            _history[_seen % _history.Length] = value;
        }

        _seen++;
        return anomaly;
    }

    /// <summary>Spread of a model's errors, never below 1% of <paramref name="scale"/> (<see cref="FloorScale"/>) nor zero.</summary>
    internal static double Spread(SortedWindow errors, double scale) =>
        Math.Max(
            Math.Max(MadToSigma * errors.Median, errors.Quantile(0.9) / Q90ToSigma),
            Math.Max(MeanAbsoluteToSigma * errors.Mean, Math.Max(1e-9, 0.01 * Math.Abs(scale))));

    /// <summary>
    /// The scale the spread's floor is a share of: the range the recent points spanned (the flat model's window), so
    /// the floor — like every other part of the judgement — is the same whatever the series' units and offset (a
    /// temperature in °F or °C, a latency with a large constant part). Until round 8 it was the expected value itself,
    /// which made a series far from zero look quieter than the same series near zero. A series whose recent points
    /// never varied has no range: its level stands in, as before (a 2% wobble of a constant is not a spike).
    /// </summary>
    private double FloorScale(double expected)
    {
        var range = _level.Quantile(1) - _level.Quantile(0);
        return range > 0 ? range : expected;
    }

    private Model Choose()
    {
        var flat = _models[0];
        var best = flat;
        for (var m = 1; m < _models.Length; m++)
        {
            var model = _models[m];
            var after = Math.Min(_settings.SeasonalAfter, _settings.Window);
            if (!double.IsNaN(model.Prediction) && model.Errors.Count >= after && flat.Errors.Count >= after
                && model.SmoothedError < _settings.SeasonalGain * flat.SmoothedError && model.SmoothedError < best.SmoothedError)
            {
                best = model;
            }
        }

        return best;
    }

    private void SetPeriods(double stepSeconds)
    {
        if (stepSeconds <= 0)
        {
            return;
        }

        var day = (int)Math.Round(86_400 / stepSeconds);
        if (day < 4 || Math.Abs((day * stepSeconds) - 86_400) > stepSeconds / 2)
        {
            return; // steps of more than six hours, or that do not divide a day: no seasonal models
        }

        _models[1] = new Model("daily", day, _settings.Window);
        var week = 7 * day;
        var cycles = _settings.Cycles;
        if ((week * cycles) + 2 <= MaxHistory)
        {
            _models[2] = new Model("weekly", week, _settings.Window);
            _history = new double[(week * cycles) + 2];
        }
        else
        {
            _history = new double[Math.Min(MaxHistory, (day * cycles) + 2)];
        }
    }

    /// <summary>Median of the same phase in up to <see cref="Settings.Cycles"/> past cycles, ±1 step; NaN until two cycles exist.</summary>
    private double SeasonalPrediction(int period)
    {
        if (period == 0 || _seen < (2 * period) + 1 || _history.Length < (period * 2) + 2)
        {
            return double.NaN;
        }

        Span<double> samples = stackalloc double[3 * 8];
        var n = 0;
        for (var cycle = 1; cycle <= _settings.Cycles && cycle <= 8; cycle++)
        {
            var back = (long)cycle * period;
            if (back + 1 > _seen || back + 1 >= _history.Length)
            {
                break;
            }

            for (var offset = -1; offset <= 1; offset++)
            {
                var at = _seen - back + offset;
                if (at >= 0 && at < _seen && _seen - at < _history.Length)
                {
                    samples[n++] = _history[at % _history.Length];
                }
            }
        }

        if (n == 0)
        {
            return double.NaN;
        }

        var used = samples[..n];
        used.Sort();
        return n % 2 == 1 ? used[n / 2] : (used[(n / 2) - 1] + used[n / 2]) / 2;
    }

    private sealed class Model(string name, int period, int window)
    {
        public string Name { get; } = name;

        public int Period { get; } = period;

        public SortedWindow Errors { get; } = new(window);

        public double SmoothedError { get; set; }

        public double Prediction { get; set; } = double.NaN;
    }
}
