namespace TaskLens.Detection;

/// <summary>
/// The detector TaskLens runs on every series, combining its members by evidence. Every point's deviation from the
/// robust seasonal baseline (in spreads) is scored several ways: as a spike (the deviation itself), as a level shift (the
/// mean of the last <see cref="Settings.LevelPoints"/> deviations, each capped, so one spike cannot make a level), as a
/// level shift by a CUSUM over the deviations (<see cref="DeviationCusum"/>), and as a drift (the mean of the last
/// <see cref="Settings.DriftPoints"/> deviations, capped lower: a slow, sustained departure), and as a level shift once
/// more by Bayesian online change points (<see cref="RunLengthPosterior"/>). Each score is calibrated per kind
/// against the series' own history of that score (<see cref="TailCalibration"/>, with an extrapolated tail): the evidence
/// is −log₁₀ of how often the series has scored as high. For a spike candidate the spectral residual's saliency,
/// calibrated the same way over earlier candidates, adds its evidence (so the FFT is paid only on candidates). A spike
/// is raised from <see cref="Settings.Evidence"/>, a level shift from <see cref="Settings.LevelEvidence"/> (from
/// <see cref="Settings.ChangeEvidence"/> by change points), a drift from
/// <see cref="Settings.DriftEvidence"/>, in the
/// series' bad direction (<see cref="SeriesKind"/>); the anomaly names the kind, the member that saw it and the
/// probability. After raising, the series is quiet until it is re-armed — calm for <see cref="Settings.RearmAfter"/>
/// points after the monitor resolved its alert (<see cref="TryRecover"/>), and then only a worse episode breaks the quiet —
/// or <see cref="Settings.HoldOff"/> points at most.
/// </summary>
public sealed class CombinedDetector : IAnomalyDetector
{
    /// <summary>CUSUM sums (in spreads) below which no level shift is read from them: twice one point's largest step.</summary>
    private const double ShiftFloor = 8;

    /// <summary>Each deviation's cap in the drift score: a drift is many small departures, not a few large ones.</summary>
    private const double DriftCap = 2;

    /// <summary>Mean deviations (in spreads) below which no drift is read: noise's mean over many points is far smaller.</summary>
    private const double DriftFloor = 0.5;

    /// <summary>
    /// Time the drift score's calibration learns before a drift is judged (and at least twice its points): a day, so a
    /// daily swing the baseline does not model yet has been seen whole — counted in time, not points, so it means the
    /// same at one-minute steps as at NAB's five.
    /// </summary>
    private static readonly TimeSpan DriftWarmUp = TimeSpan.FromDays(1);

    /// <summary>The mean distance of unit normal residuals from their expected value, in spreads (√(2/π)).</summary>
    private const double UsualDistance = 0.8;

    /// <summary>Mean distances (in spreads) below which no volatility is read.</summary>
    private const double VolatilityFloor = 1.2;

    /// <summary>The member named by a volatility anomaly.</summary>
    public const string VolatilityName = "volatility";

    /// <summary>The member named by a drift anomaly.</summary>
    public const string DriftName = "drift";

    /// <summary>The member named by a record anomaly.</summary>
    public const string RecordName = "record";

    /// <summary>The member named by a level shift the run-length posterior saw.</summary>
    public const string ChangeName = "change-point";

    private readonly Settings _settings;
    private readonly SeriesKind _kind;
    private readonly RobustSeasonalDetector _baseline;
    private readonly DeviationCusum _cusum = new();
    private readonly SpectralResidualDetector? _spectral;
    private readonly TailCalibration _spikes;
    private readonly TailCalibration _levels;
    private readonly TailCalibration _saliency;
    private readonly TailCalibration _shifts;
    private readonly double[] _deviations;
    private readonly LaggedMeanScore? _drift;
    private readonly LaggedMeanScore? _volatility;
    private readonly RecentRange? _range;
    private readonly RecordRange? _record;
    private readonly RunLengthPosterior? _changes;
    private readonly TailCalibration? _changeScores;
    private DateTimeOffset? _judgedSince;
    private double _deviationSum;
    private int _deviationCount;
    private long _seen;
    private long _quietUntil = -1;
    private bool _resolved;
    private double _episodeExtreme;
    private int _episodeSign;

    /// <summary>Whether the last point had evidence of at least <see cref="Settings.CalmBelow"/> of the threshold.</summary>
    private bool Unsettled { get; set; }

    public CombinedDetector(SeriesKind kind = SeriesKind.Any, Settings? settings = null)
    {
        _kind = kind;
        _settings = settings ?? new Settings();
        _baseline = new RobustSeasonalDetector(new RobustSeasonalDetector.Settings(MinHistory: _settings.MinHistory, SeasonalAfter: _settings.SeasonalAfter));
        _spikes = new TailCalibration(_settings.Memory);
        _levels = new TailCalibration(_settings.Memory);
        _saliency = new TailCalibration(_settings.Memory);
        _shifts = new TailCalibration(_settings.Memory);

        // Priors until the series' own history outweighs them: a spike's deviation in spreads as a Laplace tail of unit
        // σ; the level score (a mean of several, correlated) as the same tail narrowed by half the square root of its
        // points. A quarter of the memory: evidence 3 (one in a thousand) is reachable from the first judged point.
        var prior = _settings.Memory / 4.0;
        _spikes.Seed(x => Math.Exp(-Math.Sqrt(2) * x), prior);
        _levels.Seed(x => Math.Exp(-Math.Sqrt(2) * x * Math.Sqrt(_settings.LevelPoints) / 2), prior);

        // CUSUM's sum on unit noise with a drift of one spread has an exponential tail of rate about 2; rate 1 is the
        // cautious prior (real noise is heavier-tailed and correlated).
        _shifts.Seed(x => Math.Exp(-x), prior);

        // The run-length posterior's score is already −log₁₀ of a probability, but of a model that takes the residuals
        // as independent: calibrated like the rest, with that probability itself as the prior.
        _changes = _settings.ChangeRun > 0 ? new RunLengthPosterior(_settings.ChangeRun) : null;
        if (_changes is not null)
        {
            _changeScores = new TailCalibration(_settings.Memory);
            _changeScores.Seed(x => Math.Pow(10, -x), prior);
        }
        _deviations = new double[_settings.LevelPoints];

        // The drift score (a mean over many more points) gets the tail a mean of that many independent unit deviations
        // would have. Real residuals are correlated, so their means are wider: the series' own scores, learnt a day
        // before any drift is judged, widen it. (A wider prior would hide every drift under a spread: the prior's
        // pseudo-scores count as scores the series has shown.) Worth a sixteenth of the memory, not a quarter: the day
        // learnt first is the series' own word.
        _drift = _settings.DriftPoints > 0
            ? new LaggedMeanScore(_settings.DriftPoints, _settings.Memory, DriftWarmUp, x => Math.Exp(-Math.Sqrt(2) * x * Math.Sqrt(_settings.DriftPoints)), prior / 4)
            : null;

        // The volatility score: the mean of the last points' distances (capped) from the expected value. Unit normal
        // residuals average 0.8 spreads; the prior is a mean of that many of them.
        _volatility = _settings.VolatilityPoints > 0
            ? new LaggedMeanScore(_settings.VolatilityPoints, _settings.Memory, DriftWarmUp,
                x => x <= UsualDistance ? 1 : Math.Exp(-Math.Sqrt(2) * (x - UsualDistance) * Math.Sqrt(_settings.VolatilityPoints) / 0.6), prior / 4)
            : null;
        _spectral = _settings.Spectral ? new SpectralResidualDetector() : null;
        _range = _settings.RecentRange > 0 ? new RecentRange(_settings.RecentRange) : null;
        _record = _settings.RecordPoints > 0 ? new RecordRange(_settings.RecordPoints) : null;
    }

    /// <param name="Evidence">−log₁₀ of the calibrated probability from which a spike is raised (3: one in a thousand).</param>
    /// <param name="LevelEvidence">The same for a level shift (its scores are means and sums, so their tails differ).</param>
    /// <param name="SpikeFloor">Spreads from the expected value below which a point is no spike candidate at all.</param>
    /// <param name="LevelPoints">Points whose mean deviation is the level-shift score.</param>
    /// <param name="Memory">Points the calibration remembers (exponential forgetting).</param>
    /// <param name="Spectral">Whether the spectral residual adds evidence to spike candidates.</param>
    /// <param name="CalmBelow">A point counts as calm only with evidence below this share of its kind's threshold.</param>
    /// <param name="HoldOff">Points after a raised anomaly during which no other is raised, unless ended earlier.</param>
    /// <param name="MinHistory">Points of a series learnt before its first is judged (and after a level shift, by CUSUM).</param>
    /// <param name="DriftPoints">
    /// Points whose mean deviation (each capped at <see cref="DriftCap"/>) is the drift score: a slow, sustained departure,
    /// each point too little off to be a spike and too gradual for the level score or the CUSUM's allowance (0: off).
    /// </param>
    /// <param name="DriftEvidence">The evidence from which a drift is raised.</param>
    /// <param name="RecordPoints">
    /// Points of the long history a record is judged against (0: off): a value beyond everything those points spanned, by
    /// at least <see cref="RecordMargin"/> of their range, is a record — scored only once the baseline has judged for a
    /// day (<see cref="DriftWarmUp"/>), so the range has seen the series whole.
    /// </param>
    /// <param name="RecordMargin">The share of the long history's range (max − min) a value must exceed it by to be a record.</param>
    /// <param name="ChangeRun">
    /// The mean run between change points (the hazard's inverse) of the run-length posterior over the deviations
    /// (<see cref="RunLengthPosterior"/>), whose calibrated evidence that the run going on has just ended is a level
    /// shift (0: off).
    /// </param>
    /// <param name="ChangeEvidence">The evidence from which the run-length posterior raises a level shift.</param>
    /// <param name="RearmAfter">
    /// Calm points after which a series whose alert was resolved (<see cref="TryRecover"/>) is re-armed. Until then the
    /// episode's hold-off goes on, and only a worse episode pages — a value beyond the furthest the episode reached, on
    /// its side — so a series that stays anomalous, calm for a while and off again, pages once (chosen on NAB's choosing
    /// part, session 11: 144, 288 and 576 tied, two false events fewer than re-arming at once; the shortest is taken).
    /// </param>
    /// <param name="SeasonalAfter">Errors the baseline's daily or weekly model must have made before it may be chosen (<see cref="RobustSeasonalDetector.Settings.SeasonalAfter"/>).</param>
    /// <param name="RecentRange">
    /// For intermittent sums: raise only a value beyond the range of this many previous points (0: off). Cost, tokens or
    /// runs per minute of a goal that runs now and then look like spikes against a baseline of zeros; only a value the
    /// series has not reached lately is news.
    /// </param>
    public sealed record Settings(
        double Evidence = 5, double SpikeFloor = 4, int LevelPoints = 8, int Memory = 4000, bool Spectral = false, double CalmBelow = 0.5, int HoldOff = 600, int RecentRange = 0,
        int MinHistory = 300, double LevelEvidence = 7, int DriftPoints = 144, double DriftEvidence = 5, int VolatilityPoints = 144, double VolatilityEvidence = 5,
        int RecordPoints = 4000, double RecordMargin = 0.1, int ChangeRun = 250, double ChangeEvidence = 5, int RearmAfter = 144,
        int SeasonalAfter = RobustSeasonalDetector.DefaultSeasonalAfter);

    public string Name => "combined";

    /// <summary>The evidence from which a spike is raised (scores are evidence, −log₁₀ of a probability); a level shift has its own.</summary>
    public double Threshold => _settings.Evidence;

    /// <summary>How many points in a row, up to the last one, were calm: evidence below <see cref="Settings.CalmBelow"/> of its kind's threshold.</summary>
    public long CalmPoints { get; private set; }

    /// <summary>
    /// The limits the last point was judged against: the baseline's expected value ± <see cref="Settings.SpikeFloor"/>
    /// spreads (the band an anomaly reports), widened for intermittent sums to the recent range a raised value must
    /// leave. A point beyond them is a spike candidate, raised when the series' own history makes it rare enough; a
    /// sustained shift can be raised inside them. NaN while the baseline has too little history to judge.
    /// </summary>
    public (double Expected, double Lower, double Upper) LastBand { get; private set; } = (double.NaN, double.NaN, double.NaN);

    /// <summary>The last point's evidence of each kind as a share of its threshold (1: raised), for the benchmark's dumps.</summary>
    internal (double Spike, double Level, double Drift, double Volatility, double Record) LastShares { get; private set; }

    /// <summary>Whether the last point fell in the hold-off of an earlier raised one.</summary>
    internal bool InHoldOff { get; private set; }

    /// <summary>Ends the hold-off early, so the next trouble is raised.</summary>
    public void EndHoldOff()
    {
        _quietUntil = -1;
        _resolved = false;
    }

    /// <summary>
    /// The monitor's recovery rule: once the series has been calm for <paramref name="calmSteps"/> points, the open
    /// alert ends (true) — and so does the hold-off if the series has also been calm for <see cref="Settings.RearmAfter"/>
    /// points; if not, it ends once it has, and meanwhile only a worse episode is raised. Otherwise nothing changes (false).
    /// </summary>
    public bool TryRecover(int calmSteps)
    {
        if (CalmPoints < calmSteps)
        {
            return false;
        }

        if (CalmPoints >= _settings.RearmAfter)
        {
            EndHoldOff();
        }
        else
        {
            // Resolved, not yet re-armed: until the series has been calm for RearmAfter points, only a worse episode pages.
            _resolved = true;
        }

        return true;
    }

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        _baseline.Observe(timestamp, value);
        _spectral?.Add(value);
        Unsettled = false;
        var candidate = Judge(timestamp, value);
        _record?.Add(value);
        var news = _range?.IsNews(value, candidate is { } c && c.Value > c.Expected) ?? true;
        LastBand = Band();
        _range?.Add(value);
        if (candidate is not null && !news)
        {
            candidate = null;
        }

        var position = _seen++;
        InHoldOff = position < _quietUntil;
        CalmPoints = candidate is null && !Unsettled ? CalmPoints + 1 : 0;
        if (_resolved && CalmPoints >= _settings.RearmAfter)
        {
            EndHoldOff();
        }

        if (candidate is null || (position < _quietUntil && !Escalates(candidate)))
        {
            if (position < _quietUntil && _episodeSign != 0)
            {
                // The furthest the episode went, in the direction it was raised in: what a worse episode must pass.
                _episodeExtreme = _episodeSign > 0 ? Math.Max(_episodeExtreme, value) : Math.Min(_episodeExtreme, value);
            }

            return null;
        }

        _quietUntil = position + 1 + _settings.HoldOff;
        _resolved = false;
        _episodeSign = Math.Sign(candidate.Value - candidate.Expected);
        _episodeExtreme = candidate.Value;
        return candidate;
    }

    /// <summary>
    /// Whether a candidate raised after its episode's alert was resolved, before the series re-armed, is worse than that
    /// episode: on the same side and beyond the furthest value the episode reached.
    /// </summary>
    private bool Escalates(Anomaly candidate)
    {
        var sign = Math.Sign(candidate.Value - candidate.Expected);
        return _resolved && sign == _episodeSign && sign * candidate.Value > sign * _episodeExtreme;
    }

    private Anomaly? Judge(DateTimeOffset timestamp, double value)
    {
        var z = _baseline.LastDeviation;
        LastShares = default;
        if (double.IsNaN(z))
        {
            return null;
        }

        // The CUSUM of the deviations, calibrated like the rest.
        var shift = _cusum.Add(z);
        var shiftCandidate = Math.Abs(shift) >= ShiftFloor && InBadDirection(shift);
        var shiftProbability = shiftCandidate ? _shifts.TailProbability(Math.Abs(shift)) : 1;
        _shifts.Learn(Math.Abs(shift));

        // The level score: mean of the last few capped deviations.
        var capped = Math.Clamp(z, -4, 4);
        var slot = (int)(_seen % _deviations.Length);
        _deviationSum += capped - _deviations[slot];
        _deviations[slot] = capped;
        _deviationCount = Math.Min(_deviationCount + 1, _deviations.Length);
        var level = _deviationSum / _deviationCount;

        // The drift score: the mean of many more deviations, each capped lower.
        var driftEvidence = 0.0;
        if (_drift is not null)
        {
            var drift = _drift.Add(Math.Clamp(z, -DriftCap, DriftCap));
            driftEvidence = _drift.Evidence(drift, timestamp, Math.Abs(drift) >= DriftFloor && InBadDirection(drift));
        }

        var volatilityEvidence = 0.0;
        if (_volatility is not null)
        {
            var distance = _volatility.Add(Math.Min(Math.Abs(z), 4));
            // Raised at a point off in the series' bad direction: a noisier failure rate pages on a bad point, not a good one.
            volatilityEvidence = _volatility.Evidence(distance, timestamp, distance >= VolatilityFloor && z != 0 && InBadDirection(z));
        }

        var recordShare = RecordShare(timestamp, value);

        // Bayesian online change points: how surely the run that was going on ended within the last few points.
        var changeEvidence = 0.0;
        if (_changes is not null && _changeScores is not null)
        {
            var change = _changes.Add(z);
            var changeCandidate = change >= 1 && Math.Abs(_changes.RecentMean) >= 1 && InBadDirection(_changes.RecentMean);
            changeEvidence = changeCandidate ? -Math.Log10(_changeScores.TailProbability(change)) : 0;
            _changeScores.Learn(change);
        }

        // Probabilities are read (a pass over the histogram) only for candidates, before the point is learnt.
        var spikeCandidate = Math.Abs(z) >= _settings.SpikeFloor && InBadDirection(z);
        var levelCandidate = Math.Abs(level) >= 1 && InBadDirection(level);
        var spikeProbability = spikeCandidate ? _spikes.TailProbability(Math.Abs(z)) : 1;
        var levelProbability = levelCandidate ? _levels.TailProbability(Math.Abs(level)) : 1;
        _spikes.Learn(Math.Abs(z));
        _levels.Learn(Math.Abs(level));

        var expected = _baseline.LastExpected;
        var band = _settings.SpikeFloor * _baseline.LastSpread;
        var spikeEvidence = 0.0;
        var spikeDetector = _baseline.Name;
        if (spikeCandidate)
        {
            spikeEvidence = -Math.Log10(spikeProbability);
            if (_spectral is not null && spikeEvidence >= _settings.Evidence / 2)
            {
                var saliency = _spectral.ScoreLatest(out _, out _);
                if (!double.IsNaN(saliency))
                {
                    var salient = -Math.Log10(_saliency.TailProbability(saliency));
                    _saliency.Learn(saliency);
                    if (salient > 0.5)
                    {
                        spikeEvidence += salient - 0.5;
                        spikeDetector = $"{_baseline.Name} + {_spectral.Name}";
                    }
                }
            }
        }

        var levelEvidence = 0.0;
        var levelDetector = _baseline.Name;
        if (levelCandidate)
        {
            levelEvidence = -Math.Log10(levelProbability);
        }

        if (shiftCandidate && -Math.Log10(shiftProbability) > levelEvidence)
        {
            levelEvidence = -Math.Log10(shiftProbability);
            levelDetector = "cusum";
        }


        // Each kind against its own threshold; the kind further past its threshold names the anomaly.
        var spikeShare = spikeEvidence / _settings.Evidence;
        var levelShare = levelEvidence / _settings.LevelEvidence;
        var changeShare = changeEvidence / _settings.ChangeEvidence;
        if (changeShare > levelShare)
        {
            // A level shift either way: its own evidence, named by the member that saw it.
            (levelShare, levelEvidence, levelDetector) = (changeShare, changeEvidence, ChangeName);
        }

        var driftShare = driftEvidence / _settings.DriftEvidence;
        var volatilityShare = volatilityEvidence / _settings.VolatilityEvidence;
        // The record's share is a margin, not evidence: it names the anomaly only when no calibrated kind raised it.
        var most = Math.Max(Math.Max(spikeShare, levelShare), Math.Max(driftShare, volatilityShare));
        LastShares = (spikeShare, levelShare, driftShare, volatilityShare, recordShare);
        Unsettled = Math.Max(most, recordShare) >= _settings.CalmBelow;
        if (most < 1)
        {
            return recordShare >= 1
                ? new Anomaly(timestamp, value, expected, _record!.Min, _record.Max, recordShare * _settings.RecordMargin, RecordName, AnomalyKind.Record)
                : null;
        }

        var (evidence, detector, kind) = spikeShare >= most ? (spikeEvidence, spikeDetector, AnomalyKind.Spike)
            : levelShare >= most ? (levelEvidence, levelDetector, AnomalyKind.LevelShift)
            : driftShare >= most ? (driftEvidence, DriftName, AnomalyKind.Drift)
            : (volatilityEvidence, VolatilityName, AnomalyKind.Volatility);
        return new Anomaly(timestamp, value, expected, expected - band, expected + band, evidence, detector, kind, Math.Pow(10, -evidence));
    }

    /// <summary>
    /// How far the value lies beyond the long history's range (above its maximum or under its minimum, in the series' bad
    /// direction), as a share of that range, over <see cref="Settings.RecordMargin"/> (1: a record). 0 until the baseline
    /// has judged for <see cref="DriftWarmUp"/>, when the history never varied (a flat series' first departure is the
    /// spike score's), or when the value is not clear of the old extreme by <see cref="Settings.SpikeFloor"/> spreads as
    /// well — as a spike must be clear of the expected value: the range of a young, light-tailed series is still
    /// growing, and its next 4σ point would otherwise be a record by a fifth of it.
    /// </summary>
    private double RecordShare(DateTimeOffset timestamp, double value)
    {
        if (_record is null)
        {
            return 0;
        }

        _judgedSince ??= timestamp;
        var (min, max) = (_record.Min, _record.Max);
        var range = max - min;
        if (timestamp - _judgedSince < DriftWarmUp || !(range > 0))
        {
            return 0;
        }

        var beyond = value > max ? value - max : value < min ? value - min : 0;
        var clear = Math.Abs(beyond) >= _settings.SpikeFloor * _baseline.LastSpread;
        return beyond != 0 && clear && InBadDirection(beyond) ? Math.Abs(beyond) / range / _settings.RecordMargin : 0;
    }

    private (double Expected, double Lower, double Upper) Band()
    {
        if (double.IsNaN(_baseline.LastDeviation))
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var expected = _baseline.LastExpected;
        var half = _settings.SpikeFloor * _baseline.LastSpread;
        var (lower, upper) = (expected - half, expected + half);
        if (_range is { LastExtremes: var (min, max) } && !double.IsNaN(min))
        {
            (lower, upper) = (Math.Min(lower, min), Math.Max(upper, max));
        }

        return (expected, lower, upper);
    }

    private bool InBadDirection(double deviation) => _kind switch
    {
        SeriesKind.HigherIsWorse => deviation > 0,
        SeriesKind.LowerIsWorse => deviation < 0,
        _ => true,
    };
}
