using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>
/// Assembles goal runs from spans as they arrive — out of order, across exports, with duplicates — and finalizes
/// each by the completion rules: the goal span has arrived and the trace was quiet for
/// <see cref="GoalOptions.QuietPeriod"/>, else abandoned after <see cref="GoalOptions.AbandonAfter"/>. A finalized
/// run keeps only its span ids for <see cref="GoalOptions.KeepFinalizedFor"/>, so a duplicate folds and a late span
/// has the run's spans reloaded from storage and finalized again from all of them. Memory is bounded by <see cref="GoalOptions.MaxRunsInMemory"/>, <see cref="GoalOptions.MaxSpansInMemory"/>
/// and <see cref="GoalOptions.MaxSpansPerRun"/>.
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

    /// <summary>The pooled arrays and shape numbers every run's held spans use.</summary>
    private readonly HeldSpanStore _held;
    private readonly Dictionary<RunKey, OpenRun> _runs = [];
    private readonly HashSet<RunKey> _forgotten = [];
    private readonly Queue<RunKey> _forgottenOrder = new();
    private readonly List<GoalRun> _finalizedEarly = [];

    /// <summary>
    /// Every finalization, oldest first, with the run's <see cref="OpenRun.FinalizedAt"/> then: finalized runs are let
    /// go oldest first from its front (<see cref="LetGoOldestFinalized"/>) instead of sorting every run held. An entry
    /// whose run was let go, or finalized again since, is stale and skipped.
    /// </summary>
    private readonly Queue<(OpenRun Run, long FinalizedAt)> _finalizedOrder = new();
    private readonly HashSet<RunKey> _reloads = [];

    /// <summary>
    /// Runs still without a goal span after a quiet period, asked back in case their goal span was rolled up before a
    /// restart; most are no goal at all (a service called by an uninstrumented client). Taken after <see cref="_reloads"/>,
    /// and not waited for by the watermark (<see cref="GoalRunReloadsWaiting"/>).
    /// </summary>
    private readonly HashSet<RunKey> _reloadsIfStored = [];

    /// <summary>Spans per trace of the batch being held (reused under the lock), so a new run is sized once.</summary>
    private readonly Dictionary<(ulong High, ulong Low), int> _spansPerTrace = [];
    private readonly bool _rootRule;

    /// <summary>The markers some enabled rule takes, so "has a goal span" is known per span, not by a search per sweep.</summary>
    private readonly GoalMarkers _enabledMarkers;
    private GoalRollupStats _stats = new();
    private long _spansInMemory;

    /// <summary>Span ids held by finalized (compacted) runs, bounded by <see cref="GoalOptions.MaxSpansInMemory"/> too.</summary>
    private long _finalizedIdsInMemory;

    public GoalRollup(GoalOptions options, ModelPriceTable prices)
    {
        _options = options;
        _prices = prices;
        _reader = new RunSpanReader(options.GoalIdAttribute, options.GoalNameAttribute);
        _calculator = new GoalRunCalculator(options, prices);
        _held = new HeldSpanStore(options.MaxSpansInMemory);
        var rules = options.EffectiveRules;
        _rootRule = rules.Contains(GoalRule.Root);
        _enabledMarkers = (rules.Contains(GoalRule.Explicit) ? GoalMarkers.Explicit : 0)
            | (rules.Contains(GoalRule.Workflow) ? GoalMarkers.Workflow : 0)
            | (rules.Contains(GoalRule.Agent) ? GoalMarkers.Agent : 0)
            | (rules.Contains(GoalRule.Framework) ? GoalMarkers.Framework : 0);
    }

    public GoalRollupStats Stats
    {
        get
        {
            lock (_gate)
            {
                return _stats with { RunsInMemory = _runs.Count, SpansInMemory = _spansInMemory, FinalizedSpanIdsInMemory = _finalizedIdsInMemory };
            }
        }
    }

    /// <summary>Runs not finalized yet (or changed by late spans since): a pass over the runs in memory.</summary>
    public int OpenRunCount()
    {
        lock (_gate)
        {
            var open = 0;
            foreach (var run in _runs.Values)
            {
                open += run.IsFinalizedAndCurrent ? 0 : 1;
            }

            return open;
        }
    }

    /// <summary>Takes the spans of one stored batch.</summary>
    public void Observe(SpanBatch batch, long nowMs) => Observe(batch, nowMs, arrival: true, reload: false);

    /// <param name="arrival">
    /// Whether new spans count as arrivals (restart the quiet period); spans reloaded because storage held more of a
    /// due run than this node do not, so the run is finalized in the same sweep, from all of them.
    /// </param>
    /// <param name="reload">The batch is a whole trace from storage: a compacted run takes its spans back.</param>
    private void Observe(SpanBatch batch, long nowMs, bool arrival, bool reload)
    {
        // Attributes are read outside the lock: that is most of the work. The facts are held in pooled chunks: a
        // 5,000-span batch would otherwise put ~320 KB on the large-object heap per export.
        using var observed = new ObservedSpans();
        foreach (ref readonly var span in batch.Spans)
        {
            observed.Add(_reader.Read(batch, span), span.TraceIdHigh, span.TraceIdLow);
        }

        Hold(batch.Tenant, observed, nowMs, arrival, reload);
    }

    /// <summary>The pools and shape numbers of the held spans (for tests of their reuse).</summary>
    internal HeldSpanStore HeldSpans => _held;

    /// <summary>What reads a span's facts for this rollup (<see cref="GoalRollupSpanRowSink"/> reads them as the drainer decodes).</summary>
    internal RunSpanReader Reader => _reader;

    /// <summary>
    /// Takes the spans of one stored run whose facts were read as it was decoded (<see cref="Reader"/>).
    /// </summary>
    internal void Observe(string tenant, ObservedSpans spans, long nowMs) => Hold(tenant, spans, nowMs, arrival: true, reload: false);

    private void Hold(string tenant, ObservedSpans spans, long nowMs, bool arrival, bool reload)
    {
        lock (_gate)
        {
            CountSpansPerTrace(spans);
            long duplicates = 0, late = 0, forgotten = 0;
            OpenRun? expanded = null;
            for (var i = 0; i < spans.Count; i++)
            {
                var (high, low) = spans.Trace(i);
                ref readonly var fact = ref spans.Fact(i);
                var key = new RunKey(tenant, high, low);
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

                    run = new OpenRun(key.Tenant, key.High, key.Low, nowMs, _held);
                    run.Spans.EnsureCapacity(Math.Min(_spansPerTrace[(key.High, key.Low)], _options.MaxSpansPerRun));
                    _runs.Add(key, run);
                }
                else if (run.IsCompacted)
                {
                    if (reload)
                    {
                        // The trace's stored spans, the late ones included; the late span already restarted the quiet period.
                        _finalizedIdsInMemory -= (long)run.Version;
                        run.Expand();
                        run.Spans.EnsureCapacity(Math.Min(_spansPerTrace[(key.High, key.Low)], _options.MaxSpansPerRun));
                        expanded = run;
                    }
                    else if (run.HadSpan(fact.SpanId))
                    {
                        duplicates++;
                        continue;
                    }
                    else
                    {
                        // A late span: the run's other spans are in storage only, so the run is reloaded from there (the
                        // span was stored before it reached the rollup) and finalized again from all of them.
                        late++;
                        run.LastArrival = arrival ? nowMs : run.LastArrival;
                        run.LateSpanWaiting = true;
                        _reloads.Add(key);
                        continue;
                    }
                }

                if (!run.Add(fact, _options.MaxSpansPerRun, _prices))
                {
                    duplicates++;
                    continue;
                }

                _spansInMemory++;
                run.LastArrival = arrival && run != expanded ? nowMs : run.LastArrival;
                run.HasGoalCandidate |= (fact.Markers & _enabledMarkers) != 0 || (_rootRule && fact.ParentSpanId == 0);
                late += run.FinalizedVersion != 0 && !reload ? 1 : 0;
            }

            if (_spansInMemory > _options.MaxSpansInMemory)
            {
                MakeRoom(nowMs);
            }

            _stats = _stats with
            {
                SpansObserved = _stats.SpansObserved + spans.Count,
                DuplicateSpans = _stats.DuplicateSpans + duplicates,
                LateSpans = _stats.LateSpans + late,
                LateSpansOfForgottenRuns = _stats.LateSpansOfForgottenRuns + forgotten,
            };
        }
    }

    /// <summary>
    /// Counts the spans of each trace in the batch. SDK exports interleave a dozen traces and a drained run holds
    /// dozens of exports, so the spans of a trace are seldom adjacent: sized from adjacent spans only, a run's array
    /// grew a dozen times (a quarter of what the drain path allocated).
    /// </summary>
    private void CountSpansPerTrace(ObservedSpans spans)
    {
        _spansPerTrace.Clear();
        for (var i = 0; i < spans.Count; i++)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_spansPerTrace, spans.Trace(i), out _);
            count++;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> runs to reload from storage (every span of the trace) and hand back through
    /// <see cref="Reload"/>: runs let go after finalization that got a late span first, then runs still without a goal
    /// span after a quiet period, whose goal span may have been rolled up before a restart. Each is returned once.
    /// </summary>
    public IReadOnlyList<(string Tenant, ulong TraceIdHigh, ulong TraceIdLow)> TakeReloads(int max = int.MaxValue)
    {
        lock (_gate)
        {
            var reloads = _reloads.Take(max).ToList();
            reloads.ForEach(k => _reloads.Remove(k));
            var ifStored = _reloadsIfStored.Take(max - reloads.Count).ToList();
            ifStored.ForEach(k => _reloadsIfStored.Remove(k));
            return reloads.Concat(ifStored).Select(k => (k.Tenant, k.High, k.Low)).ToList();
        }
    }

    /// <summary>
    /// Whether runs known to be goal runs (a late span of a finalized run, a span of a run let go) still wait to be
    /// reloaded; runs asked back only because they have no goal span yet are not counted.
    /// </summary>
    public bool GoalRunReloadsWaiting
    {
        get
        {
            lock (_gate)
            {
                return _reloads.Count > 0;
            }
        }
    }

    /// <summary>
    /// Takes the stored spans of whole traces: a run let go and asked back (<see cref="TakeReloads"/>), or a run that
    /// was open when TaskLens stopped. Spans already held fold as duplicates, so nothing counts twice.
    /// </summary>
    public void Reload(SpanBatch batch, long nowMs) => Reload(batch, nowMs, arrival: true);

    /// <inheritdoc cref="Reload(SpanBatch, long)"/>
    /// <param name="arrival">Whether the reloaded spans restart the run's quiet period (see <see cref="NoteStored"/>).</param>
    public void Reload(SpanBatch batch, long nowMs, bool arrival)
    {
        lock (_gate)
        {
            foreach (var span in batch.Spans)
            {
                _forgotten.Remove(new RunKey(batch.Tenant, span.TraceIdHigh, span.TraceIdLow));
            }

            _stats = _stats with { RunsReloaded = _stats.RunsReloaded + 1 };
        }

        Observe(batch, nowMs, arrival, reload: true);
    }

    /// <summary>
    /// The runs the next <see cref="Sweep"/> at <paramref name="nowMs"/> would finalize, each with the spans it holds (or
    /// the most storage was last seen to hold, if more), for the caller to compare with storage
    /// (<see cref="GoalOptions.CheckStoredSpans"/>) before sweeping.
    /// </summary>
    public IReadOnlyList<(string Tenant, TraceId TraceId, ulong Spans)> RunsDue(long nowMs)
    {
        lock (_gate)
        {
            var due = new List<(string, TraceId, ulong)>();
            foreach (var (key, run) in _runs)
            {
                if (!run.IsFinalizedAndCurrent && IsDue(run, nowMs))
                {
                    due.Add((key.Tenant, new TraceId(key.High, key.Low), Math.Max(run.Version, run.StoredSeen)));
                }
            }

            return due;
        }
    }

    /// <summary>
    /// Storage holds <paramref name="storedSpans"/> spans of a due run, more than the run: reload the trace with
    /// <see cref="Reload(SpanBatch, long, bool)"/> and no arrival, so the sweep finalizes it from every span.
    /// </summary>
    public void NoteStored(string tenant, TraceId traceId, ulong storedSpans)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(new RunKey(tenant, traceId.High, traceId.Low), out var run))
            {
                run.StoredSeen = Math.Max(run.StoredSeen, storedSpans);
            }
        }
    }

    private bool IsDue(OpenRun run, long nowMs)
    {
        var quiet = nowMs - run.LastArrival >= (long)_options.QuietPeriod.TotalMilliseconds;
        return run.HasGoalCandidate
            ? quiet
            : nowMs - run.FirstArrival >= (long)_options.AbandonAfter.TotalMilliseconds && (run.FinalizedVersion == 0 || quiet);
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
                    else if (!run.IsCompacted)
                    {
                        // Reloaded for a late span that storage did not hold after all: nothing new to finalize. Queued
                        // again, as its entry may have been dropped while it was expanded.
                        Compact(run);
                        _finalizedOrder.Enqueue((run, run.FinalizedAt));
                    }
                    else if (run.LateSpanWaiting)
                    {
                        // Its reload was taken but did not come back (storage could not be read, or the run's row was
                        // not stored yet): asked again.
                        _reloads.Add(key);
                    }

                    continue;
                }

                var quiet = nowMs - run.LastArrival >= (long)_options.QuietPeriod.TotalMilliseconds;
                if (run.HasGoalCandidate)
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
                    _reloadsIfStored.Add(key);
                }
            }

            letGo?.ForEach(Forget);
            if (_finalizedIdsInMemory > _options.MaxSpansInMemory)
            {
                var target = _options.MaxSpansInMemory * 9L / 10;
                LetGoOldestFinalized(() => _finalizedIdsInMemory <= target);
            }

            // Runs let go after KeepFinalizedFor leave their entries at the front.
            while (_finalizedOrder.TryPeek(out var oldest) && !IsHeldAsFinalized(oldest))
            {
                _finalizedOrder.Dequeue();
            }

            _held.Trim(nowMs, _spansInMemory);

            _stats = _stats with { RunsFinalized = _stats.RunsFinalized + final.Count };
            return final;
        }
    }

    private GoalRun Finalize(OpenRun run, long nowMs, bool abandoned)
    {
        var goalRun = _calculator.Compute(run, abandoned);
        run.FinalizedVersion = run.Version;
        run.FinalizedAt = nowMs;
        Compact(run);
        _finalizedOrder.Enqueue((run, nowMs));
        return goalRun;
    }

    private void Compact(OpenRun run)
    {
        _spansInMemory -= (long)run.Version;
        _finalizedIdsInMemory += (long)run.Version;
        run.Compact();
    }

    /// <summary>
    /// Lets go of finalized runs, oldest first (by <see cref="OpenRun.FinalizedAt"/>, as they were finalized), until
    /// <paramref name="enough"/>: a pass over the oldest only, where a sort of every finalized run held cost a list of
    /// them every time the ids' bound was reached (about every 10 s at 20k spans/s).
    /// </summary>
    private void LetGoOldestFinalized(Func<bool> enough)
    {
        while (!enough() && _finalizedOrder.TryDequeue(out var oldest))
        {
            if (IsHeldAsFinalized(oldest))
            {
                Forget(new RunKey(oldest.Run.Tenant, oldest.Run.TraceIdHigh, oldest.Run.TraceIdLow));
            }
        }
    }

    /// <summary>Whether the entry is its run's latest finalization and the run still holds only its ids.</summary>
    private bool IsHeldAsFinalized((OpenRun Run, long FinalizedAt) entry) =>
        entry.Run.IsCompacted && entry.Run.FinalizedAt == entry.FinalizedAt
        && _runs.TryGetValue(new RunKey(entry.Run.Tenant, entry.Run.TraceIdHigh, entry.Run.TraceIdLow), out var held)
        && ReferenceEquals(held, entry.Run);

    /// <summary>
    /// Past <see cref="GoalOptions.MaxRunsInMemory"/> or <see cref="GoalOptions.MaxSpansInMemory"/>: lets go of
    /// finalized runs first, oldest first; if that frees too little, finalizes open runs as they stand — always of the
    /// tenant holding the most spans, its idle longest first, so one tenant's flood finalizes its own runs early and not
    /// the other tenants'. It frees down to nine tenths of both limits at once, so a flood costs one sort per tenth,
    /// not a scan per trace.
    /// </summary>
    private void MakeRoom(long nowMs)
    {
        var runTarget = _options.MaxRunsInMemory * 9L / 10;
        var spanTarget = _options.MaxSpansInMemory * 9L / 10;
        bool Over() => _runs.Count > runTarget || _spansInMemory > spanTarget;

        // Finalized runs hold span ids only, so letting them go frees runs, not spans.
        LetGoOldestFinalized(() => _runs.Count <= runTarget);

        var early = 0;
        var tenants = _runs.Where(r => !r.Value.IsCompacted).GroupBy(r => r.Key.Tenant, StringComparer.Ordinal)
            .Select(g => new TenantRuns(g.Sum(r => (long)r.Value.Version), new Queue<KeyValuePair<RunKey, OpenRun>>(g.OrderBy(r => r.Value.LastArrival))))
            .ToList();
        while (Over() && tenants.Where(t => t.Runs.Count > 0).MaxBy(t => t.Spans) is { } heaviest)
        {
            var (key, run) = heaviest.Runs.Dequeue();
            heaviest.Spans -= (long)run.Version;
            _finalizedEarly.Add(Finalize(run, nowMs, abandoned: !run.HasGoalCandidate));
            Forget(key);
            early++;
        }

        _stats = _stats with { RunsFinalizedEarly = _stats.RunsFinalizedEarly + early };
    }

    private void Forget(RunKey key)
    {
        if (_runs.Remove(key, out var run))
        {
            if (run.IsCompacted)
            {
                _finalizedIdsInMemory -= (long)run.Version;
            }
            else
            {
                _spansInMemory -= (long)run.Version;
            }

            run.Release();
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

    private sealed class TenantRuns(long spans, Queue<KeyValuePair<RunKey, OpenRun>> runs)
    {
        public long Spans { get; set; } = spans;

        public Queue<KeyValuePair<RunKey, OpenRun>> Runs { get; } = runs;
    }
}
