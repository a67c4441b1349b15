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
    /// <summary>
    /// Trace keys let go from memory remembered, so a late span of one asks for the run to be reloaded from storage
    /// rather than starting a new run from the late span alone.
    /// </summary>
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
    private readonly HashSet<RunKey> _reloads = [];
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
            long duplicates = 0, late = 0, forgotten = 0;
            for (var i = 0; i < spans.Length; i++)
            {
                var key = new RunKey(batch.Tenant, spans[i].TraceIdHigh, spans[i].TraceIdLow);
                if (!_runs.TryGetValue(key, out var run))
                {
                    if (_forgotten.Contains(key))
                    {
                        forgotten++;
                        _reloads.Add(key);
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
                LateSpansOfForgottenRuns = _stats.LateSpansOfForgottenRuns + forgotten,
            };
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> runs to reload from storage (every span of the trace) and hand back through
    /// <see cref="Reload"/>: runs let go after finalization that got a late span, and runs still without a goal span
    /// after a quiet period, whose goal span may have been rolled up before a restart. Each is returned once.
    /// </summary>
    public IReadOnlyList<(string Tenant, ulong TraceIdHigh, ulong TraceIdLow)> TakeReloads(int max = int.MaxValue)
    {
        lock (_gate)
        {
            var reloads = _reloads.Take(max).ToList();
            reloads.ForEach(k => _reloads.Remove(k));
            return reloads.Select(k => (k.Tenant, k.High, k.Low)).ToList();
        }
    }

    /// <summary>
    /// Takes the stored spans of whole traces: a run let go and asked back (<see cref="TakeReloads"/>), or a run that
    /// was open when TaskLens stopped. Spans already held fold as duplicates, so nothing counts twice.
    /// </summary>
    public void Reload(SpanBatch batch, long nowMs)
    {
        lock (_gate)
        {
            foreach (var span in batch.Spans)
            {
                _forgotten.Remove(new RunKey(batch.Tenant, span.TraceIdHigh, span.TraceIdLow));
            }

            _stats = _stats with { RunsReloaded = _stats.RunsReloaded + 1 };
        }

        Observe(batch, nowMs);
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
                else if (quiet && !run.ReloadAsked)
                {
                    // Late spans of a run stored before a restart arrive without their goal span: fetch the rest.
                    run.ReloadAsked = true;
                    _reloads.Add(key);
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
