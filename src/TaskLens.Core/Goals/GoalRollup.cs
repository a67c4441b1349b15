using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Assembles goal runs from spans as they arrive — out of order, across exports, with duplicates — and finalizes
/// each by the completion rules: the goal span has arrived and the trace was quiet for
/// <see cref="GoalOptions.QuietPeriod"/>, else abandoned after <see cref="GoalOptions.AbandonAfter"/>. A finalized
/// run stays in memory for <see cref="GoalOptions.KeepFinalizedFor"/> so a late span finalizes it again from all its
/// spans. Memory is bounded by <see cref="GoalOptions.MaxRunsInMemory"/> and <see cref="GoalOptions.MaxSpansPerRun"/>.
/// Thread-safe; the clock is passed in (milliseconds) so tests decide time.
/// </summary>
public sealed class GoalRollup
{
    /// <summary>Trace keys let go from memory remembered, so their late spans are counted, not rolled up anew.</summary>
    private const int ForgottenTracesRemembered = 1 << 20;

    private readonly Lock _gate = new();
    private readonly GoalOptions _options;
    private readonly ModelPriceTable _prices;
    private readonly RunSpanReader _reader;
    private readonly GoalRunCalculator _calculator;
    private readonly Dictionary<RunKey, OpenRun> _runs = [];
    private readonly HashSet<RunKey> _forgotten = [];
    private readonly Queue<RunKey> _forgottenOrder = new();
    private readonly List<GoalRun> _finalizedEarly = [];
    private readonly bool _rootRule;
    private GoalRollupStats _stats = new();
    private long _spansInMemory;

    public GoalRollup(GoalOptions options, ModelPriceTable prices)
    {
        _options = options;
        _prices = prices;
        _reader = new RunSpanReader(options.GoalIdAttribute, options.GoalNameAttribute);
        _calculator = new GoalRunCalculator(options, prices);
        _rootRule = options.EffectiveRules.Contains(GoalRule.Root);
    }

    public GoalRollupStats Stats
    {
        get
        {
            lock (_gate)
            {
                return _stats with { RunsInMemory = _runs.Count, SpansInMemory = _spansInMemory };
            }
        }
    }

    /// <summary>Takes the spans of one stored batch.</summary>
    public void Observe(SpanBatch batch, long nowMs)
    {
        // Attributes are read outside the lock: that is most of the work.
        var spans = batch.Spans;
        var facts = new RunSpan[spans.Length];
        for (var i = 0; i < spans.Length; i++)
        {
            facts[i] = _reader.Read(batch, spans[i]);
        }

        lock (_gate)
        {
            long duplicates = 0, late = 0, dropped = 0;
            for (var i = 0; i < spans.Length; i++)
            {
                var key = new RunKey(batch.Tenant, spans[i].TraceIdHigh, spans[i].TraceIdLow);
                if (!_runs.TryGetValue(key, out var run))
                {
                    if (_forgotten.Contains(key))
                    {
                        dropped++;
                        continue;
                    }

                    if (_runs.Count >= _options.MaxRunsInMemory)
                    {
                        MakeRoom(nowMs);
                    }

                    run = new OpenRun(key.Tenant, key.High, key.Low, nowMs);
                    _runs.Add(key, run);
                }

                var before = run.Spans.Count;
                if (!run.Add(facts[i], _options.MaxSpansPerRun, _prices))
                {
                    duplicates++;
                    continue;
                }

                _spansInMemory += run.Spans.Count - before;
                run.LastArrival = nowMs;
                run.HasGoalCandidate |= facts[i].Markers != GoalMarkers.None || (_rootRule && facts[i].ParentSpanId == 0);
                late += run.FinalizedVersion != 0 ? 1 : 0;
            }

            _stats = _stats with
            {
                SpansObserved = _stats.SpansObserved + spans.Length,
                DuplicateSpans = _stats.DuplicateSpans + duplicates,
                LateSpans = _stats.LateSpans + late,
                LateSpansDropped = _stats.LateSpansDropped + dropped,
            };
        }
    }

    /// <summary>The runs that became final (or final again, with late spans) by <paramref name="nowMs"/>.</summary>
    public IReadOnlyList<GoalRun> Sweep(long nowMs)
    {
        lock (_gate)
        {
            var final = new List<GoalRun>(_finalizedEarly);
            _finalizedEarly.Clear();
            List<RunKey>? letGo = null;
            foreach (var (key, run) in _runs)
            {
                if (run.IsFinalizedAndCurrent)
                {
                    if (nowMs - run.FinalizedAt >= (long)_options.KeepFinalizedFor.TotalMilliseconds)
                    {
                        (letGo ??= []).Add(key);
                    }

                    continue;
                }

                var quiet = nowMs - run.LastArrival >= (long)_options.QuietPeriod.TotalMilliseconds;
                if (run.HasGoalCandidate && _calculator.FindGoal(run) is not null)
                {
                    if (quiet)
                    {
                        final.Add(Finalize(run, nowMs, abandoned: false));
                    }
                }
                else if (nowMs - run.FirstArrival >= (long)_options.AbandonAfter.TotalMilliseconds
                    && (run.FinalizedVersion == 0 || quiet))
                {
                    final.Add(Finalize(run, nowMs, abandoned: true));
                }
            }

            letGo?.ForEach(Forget);
            _stats = _stats with { RunsFinalized = _stats.RunsFinalized + final.Count };
            return final;
        }
    }

    private GoalRun Finalize(OpenRun run, long nowMs, bool abandoned)
    {
        var goalRun = _calculator.Compute(run, abandoned);
        run.FinalizedVersion = run.Version;
        run.FinalizedAt = nowMs;
        return goalRun;
    }

    /// <summary>
    /// At the run limit: lets go of finalized runs first, oldest first; if that frees too little, finalizes the open
    /// runs idle longest as they stand. A tenth of the limit is freed at once, so a flood of new traces costs one
    /// sort per tenth, not a scan per trace.
    /// </summary>
    private void MakeRoom(long nowMs)
    {
        var target = Math.Max(1, _options.MaxRunsInMemory / 10);
        var finalized = _runs.Where(r => r.Value.IsFinalizedAndCurrent).OrderBy(r => r.Value.FinalizedAt).Take(target).Select(r => r.Key).ToList();
        finalized.ForEach(Forget);
        var open = _runs.OrderBy(r => r.Value.LastArrival).Take(target - finalized.Count).ToList();
        foreach (var (key, run) in open)
        {
            _finalizedEarly.Add(Finalize(run, nowMs, abandoned: !(run.HasGoalCandidate && _calculator.FindGoal(run) is not null)));
            Forget(key);
        }

        _stats = _stats with { RunsFinalizedEarly = _stats.RunsFinalizedEarly + open.Count };
    }

    private void Forget(RunKey key)
    {
        if (_runs.Remove(key, out var run))
        {
            _spansInMemory -= run.Spans.Count;
        }

        if (_forgotten.Add(key))
        {
            _forgottenOrder.Enqueue(key);
            if (_forgottenOrder.Count > ForgottenTracesRemembered)
            {
                _forgotten.Remove(_forgottenOrder.Dequeue());
            }
        }
    }

    private readonly record struct RunKey(string Tenant, ulong High, ulong Low);
}
