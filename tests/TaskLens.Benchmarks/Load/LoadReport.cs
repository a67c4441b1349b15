using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using TaskLens.Benchmarks.Traces;

namespace TaskLens.Benchmarks.Load;

/// <summary>What one load run measured; <see cref="ToMarkdown"/> writes the report, every figure and sentence from the run.</summary>
internal sealed record LoadReport(
    [property: JsonIgnore] SdkTraffic Sdk,
    WarmUpResult WarmUp,
    PhaseResult SdkPhase,
    PhaseResult AgentPhase,
    CeilingResult Ceiling,
    LatencyResult Idle,
    LatencyResult Loaded,
    double BackgroundSpansPerSecond,
    double ProbeIntervalMs,
    double SteadyPeakRssMiB,
    OverloadResult Overload,
    ulong OverloadStored,
    double OverloadPeakRssMiB,
    double OverloadDrainSeconds,
    ulong SpansAcknowledged,
    ulong SpansStored,
    string ServerVersion,
    double RunSeconds,
    TraceLookupResult? TraceLookup,
    GoalRollupCounters? GoalRollup = null,
    IReadOnlyList<StagePercentiles>? IdleStages = null,
    IReadOnlyList<StagePercentiles>? LoadedStages = null,
    GcWindow? IdleGc = null,
    GcWindow? LoadedGc = null,
    string? SdkRuntime = null)
{
    public const double TargetCpuMicros = 3;
    public const double TargetCeilingRatio = 0.8;
    public const double TargetAckP99Ms = 50;
    public const double TargetPeakRssMiB = 512;

    public double CeilingRatio => SdkPhase.SpansPerSecond / Ceiling.RowsPerSecond;

    public double PeakRssMiB => Math.Max(SteadyPeakRssMiB, OverloadPeakRssMiB);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Line(string line) => text.AppendLine(line);
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        void Row(params string[] cells) => text.AppendLine("| " + string.Join(" | ", cells) + " |");
        var sdk = SdkPhase;
        var rounds = LoadBenchmark.MeasuredRounds;

        Line(F($"The built server with its embedded ClickHouse {ServerVersion} on loopback, {Environment.ProcessorCount} cores shared by both and by the load"));
        Line(F($"generator; the whole run took {RunSeconds:N0} s. **SDK-shaped workload**: {rounds * LoadBenchmark.ExportsPerRound:N0} exports of {SdkTraffic.SpansPerExport} spans ({sdk.Spans:N0} spans)"));
        Line(F($"over OTLP/HTTP protobuf from {LoadBenchmark.Connections} keep-alive connections, after a warm-up of {WarmUp.Traffic.Spans:N0} spans of the same shape"));
        Line("and a wait until the server's first minute's work was done (goal runs stored, detection past the steps holding them, the JIT quiet; below). They interleave");
        Line(F($"{rounds * Sdk.TracesPerRound:N0} traces of {SdkTraffic.MinTraceSpans}–{SdkTraffic.MaxTraceSpans} spans across {SdkTraffic.Services} services (HTTP, database, and agent goals with LLM and tool calls),"));
        Line(F($"{Sdk.AttributesPerSpan:0.0} attributes per span on average, events on {Sdk.EventsShare:P1} of spans and errors on {Sdk.ErrorsShare:P1}; {Sdk.MeanExportBytes / 1024:N0} KiB per export."));
        Line(F($"**Agent workload** (the second scenario): {LoadBenchmark.AgentExports} exports of {AgentTraffic.SpansPerExport:N0} spans, each one goal run. A phase is timed until"));
        Line("ClickHouse holds every span (an acknowledgement means the on-disk spool has the export; the drainer then writes it);");
        Line("CPU is user + system time of the TaskLens process and of its ClickHouse process (from /proc), counted from the");
        Line("phase's first export until ClickHouse also holds the goal runs of its traces (a 30 s quiet period after their last");
        Line("span), so decode, spool, drain, insert, goal rollup, and ClickHouse's inserts, views and merges in that window are included.");
        Line("");
        Row("measure", "SDK-shaped (512-span exports)", "agent (5,000-span exports)");
        Row("---", "---:", "---:");
        Row("spans sent, all stored", F($"{sdk.Spans:N0}"), F($"{AgentPhase.Spans:N0}"));
        Row("end-to-end ingest, OTLP/HTTP → ClickHouse (spans/s)", F($"{sdk.SpansPerSecond:N0}"), F($"{AgentPhase.SpansPerSecond:N0}"));
        Row("TaskLens CPU per span (µs)", F($"{sdk.TaskLensCpuMicrosPerSpan:0.00}"), F($"{AgentPhase.TaskLensCpuMicrosPerSpan:0.00}"));
        Row("diagnostic: TaskLens CPU per span, first half / second half / goal-run tail (µs)", Halves(sdk.Halves), Halves(AgentPhase.Halves));
        Row("ClickHouse CPU per span (µs)", F($"{sdk.ClickHouseCpuMicrosPerSpan:0.00}"), F($"{AgentPhase.ClickHouseCpuMicrosPerSpan:0.00}"));
        Row("goal runs stored / expected by then", F($"{sdk.RunsStored:N0} / {sdk.RunsExpected:N0}"), F($"{AgentPhase.RunsStored:N0} / {AgentPhase.RunsExpected:N0}"));
        Row("refusals while sending (retried)", F($"{sdk.Refusals:N0}"), F($"{AgentPhase.Refusals:N0}"));
        Row("TaskLens peak RSS so far (MiB)", F($"{sdk.PeakRssMiB:N0}"), F($"{AgentPhase.PeakRssMiB:N0}"));
        Line("");
        Line("The diagnostic row splits the phase when half its exports are acknowledged; the halves end when ClickHouse holds their spans");
        Line("(each half's CPU over the mean of the spans acknowledged and stored in it) and the tail is the goal runs' wait, per span of the");
        Line("phase, so the headline is the halves weighted by their spans plus the tail. A second half well below the first is the runtime's");
        Line("one-time work (tiered compilation) in the headline; the headline stays as issue 20 defines it.");
        if (SdkRuntime is { } runtime)
        {
            // The warm-up's wait moved the first goal sweep and detection's first judging out of the phase; the halves cannot
            // tell the JIT's one-time work that is left from steady state, the runtime's own count says how much there was.
            Line($"SDK-shaped phase, diagnostic: {runtime}.");
        }

        Line(WarmUp.Describe(SdkPhase.Spans));

        if (GoalRollup is { } goals)
        {
            Line(F($"Goal rollup after both phases (its `/metrics`): **{goals.RunsFinalizedEarly:N0} runs finalized early** at a memory limit (issue 20: none at the"));
            Line(F($"sustained rate with the default 30 s quiet period); {goals.SpansInMemory:N0} spans of open runs and {goals.RunsInMemory:N0} runs held (open, or finalized and keeping only span ids for late spans)."));
        }
        Line("");
        var c = Ceiling;
        Line(F($"**Fair ceiling**: all {c.Rows:N0} rows of the SDK-shaped phase, encoded by TaskLens's own encoder, inserted over"));
        Line(F($"ClickHouse's HTTP interface as RowBinary in {c.Batches} batches of {c.Rows / (double)c.Batches:N0} rows on average, grouped by the drainer's bounds ({LoadBenchmark.DrainBatch.Bytes / 1048576.0:0.#} MiB of exports), {LoadBenchmark.DrainInserts} insert(s) at a time as the"));
        Line(F($"drainer does, into a copy of `spans` with copies of its {c.Views} materialized views and their tables, once ClickHouse ran no"));
        Line(F($"merge (waited at most {LoadBenchmark.MergeWait.TotalSeconds:N0} s; the longest wait was {c.LongestMergeWaitSeconds:N1} s); three passes into fresh tables, each first"));
        Line(F($"given, untimed, the warm-up's {c.RowsHeldBefore:N0} rows the same way (`spans` held {SdkPhase.RowsHeldBefore:N0} when the phase began), merges settled:"));
        Line(F($"{string.Join(", ", c.Passes.Select(p => p.ToString("N0", CultureInfo.InvariantCulture)))} rows/s, median **{c.RowsPerSecond:N0}**. End to end ÷ ceiling: **{CeilingRatio:0.00}**."));
        Line(F($"ClickHouse's CPU per row in the ceiling (median of the passes): {c.ClickHouseCpuMicrosPerRow:0.00} µs while inserting, {c.ClickHouseCpuWithMergesMicrosPerRow:0.00} µs"));
        Line(F($"until the merges its inserts started had finished — against {SdkPhase.ClickHouseCpuMicrosPerSpan:0.00} µs a span in the SDK-shaped phase, whose window holds its steady merges,"));
        Line(F($"TaskLens's goal-run inserts and reads, and the benchmark's own store probe ({SdkPhase.ProbeQueries:N0} queries, paced by the rows left to store)."));
        Line("");
        Line(F($"**Acknowledgement latency** of single {AgentTraffic.SpansPerExport:N0}-span exports, {LoadBenchmark.LatencySamples} probes each: idle (one at a time, each once the"));
        Line(F($"previous is stored): p50 {Idle.AckP50:N0} ms, p99 {Idle.AckP99:N0} ms, queryable after p50 {Idle.QueryableP50:N0} ms. Under background load"));
        Line(F($"({LoadBenchmark.BackgroundShare:P0} of the SDK-shaped end-to-end rate: {BackgroundSpansPerSecond:N0} spans/s offered in {SdkTraffic.SpansPerExport}-span exports, paced; a probe every"));
        Line(F($"{ProbeIntervalMs:N0} ms adds {AgentTraffic.SpansPerExport * 1000 / ProbeIntervalMs:N0} spans/s, {AgentTraffic.SpansPerExport * 1000 / ProbeIntervalMs / SdkPhase.SpansPerSecond:P0} more): p50 {Loaded.AckP50:N0} ms, p99 **{Loaded.AckP99:N0} ms**; background spans sent {Loaded.BackgroundSpansSent:N0},"));
        Line(F($"not sent because 32 were already waiting {Loaded.BackgroundSpansSkipped:N0}; probe refusals {Idle.ProbeRefusals + Loaded.ProbeRefusals}."));
        Line("");
        if (IdleStages is not null && LoadedStages is not null)
        {
            AckStages(Line, Row, F);
        }
        var o = Overload;
        Line(F($"**Overload**: {o.Clients} exporters, each with one {SdkTraffic.SpansPerExport}-span export in flight at a time (up to {o.Clients * Sdk.MeanExportBytes / 1048576:N0} MiB of bodies at once"));
        Line(F($"against an admission budget of {LoadBenchmark.MaxBytesInFlight / 1048576} MiB, half of it for one tenant, with exports of at most {LoadBenchmark.MaxRequestBytes / 1048576} MiB and a spool cap of {LoadBenchmark.SpoolCapBytes / 1048576} MiB, both set for this run),"));
        Line(F($"for {o.Seconds:N0} s, each retrying every refusal after its Retry-After; then each finished the export in hand ({o.FinishingSeconds:N1} s) and the"));
        Line(F($"spool drained ({OverloadDrainSeconds:N1} s). Stored spans are counted in ClickHouse as distinct (trace id, span id) drained since the phase began."));
        Line("");
        Row("overload", "spans");
        Row("---", "---:");
        Row("offered (first attempts)", F($"{o.SpansOffered:N0}"));
        Row(F($"refused ({o.TooManyRequests:N0} × 429, {o.ServiceUnavailable:N0} × 503; {o.RefusalsWithoutRetryHint:N0} without Retry-After)"), F($"{o.SpansRefused:N0}"));
        Row("retried", F($"{o.SpansRetried:N0}"));
        Row("acknowledged", F($"{o.SpansAcknowledged:N0}"));
        Row("stored in ClickHouse", F($"{OverloadStored:N0}"));
        Row("acknowledged − stored", F($"{(long)o.SpansAcknowledged - (long)OverloadStored:N0}"));
        Line("");
        Line(F($"Whole run: {SpansAcknowledged:N0} spans acknowledged, {SpansStored:N0} distinct spans stored. TaskLens peak RSS: {SteadyPeakRssMiB:N0} MiB after the"));
        Line(F($"warm-up until overload, {OverloadPeakRssMiB:N0} MiB through overload."));
        Line("");
        Row("target (issue 20)", "this run", "");
        Row("---", "---:", "---");
        Row(F($"TaskLens CPU per span, SDK-shaped ≤ {TargetCpuMicros} µs"), F($"{sdk.TaskLensCpuMicrosPerSpan:0.00}"), Met(sdk.TaskLensCpuMicrosPerSpan <= TargetCpuMicros));
        Row(F($"end to end ≥ {TargetCeilingRatio}× the fair ceiling"), F($"{CeilingRatio:0.00}"), Met(CeilingRatio >= TargetCeilingRatio));
        Row(F($"5,000-span export ack p99 under {LoadBenchmark.BackgroundShare:P0} background load ≤ {TargetAckP99Ms} ms"), F($"{Loaded.AckP99:N0}"), Met(Loaded.AckP99 <= TargetAckP99Ms));
        Row(F($"peak RSS through overload ≤ {TargetPeakRssMiB} MiB"), F($"{PeakRssMiB:N0}"), Met(PeakRssMiB <= TargetPeakRssMiB));
        Row("zero acknowledged spans lost (overload; whole run)", F($"{(long)o.SpansAcknowledged - (long)OverloadStored:N0}; {(long)SpansAcknowledged - (long)SpansStored:N0}"),
            Met(OverloadStored == (ulong)o.SpansAcknowledged && SpansStored == SpansAcknowledged));
        if (TraceLookup is { } t)
        {
            Row(F($"trace by id p95 ≤ {TraceLookupResult.TargetP95Ms} ms at {t.SpansStored:N0} spans"), F($"{t.P95Ms:N1}"), Met(t.Met));
        }
        else
        {
            Row(F($"trace by id p95 ≤ {TraceLookupResult.TargetP95Ms} ms at 10M spans"), "not measured in this run", "NOT MET");
        }

        return text.ToString();
    }

    /// <summary>
    /// The server's own timing of the latency phases, stage by stage (<see cref="StageHistograms"/>): large exports are
    /// the probes, small ones the background; the spool's phases count every group and append of either.
    /// </summary>
    private void AckStages(Action<string> line, Action<string[]> row, Func<FormattableString, string> f)
    {
        line("Where the acknowledgements waited, by the server's histograms (`tasklens.ingest.export.duration` per stage and size —");
        line("large: the probes, a MiB or more; small: the background — and `tasklens.spool.append.duration` per phase, every append and");
        line("group), read before and after each latency phase; the upper bounds (ms) of the buckets each percentile falls in:");
        line("");
        row(["series", "idle n", "idle p50 / p90 / p99", "under load n", "under load p50 / p90 / p99"]);
        row(["---", "---:", "---:", "---:", "---:"]);
        var idle = IdleStages!.ToDictionary(s => s.Series, StringComparer.Ordinal);
        foreach (var loaded in LoadedStages!)
        {
            var before = idle.GetValueOrDefault(loaded.Series);
            row([
                "`" + loaded.Series["tasklens_".Length..] + "`",
                before is null ? "—" : f($"{before.Count:N0}"),
                before is null ? "—" : Percentiles(before),
                f($"{loaded.Count:N0}"),
                Percentiles(loaded),
            ]);
        }

        line("");
        var stages = LoadedStages!.Where(s => s.Series.StartsWith("tasklens_ingest_export_duration", StringComparison.Ordinal) && s.Series.Contains(" large", StringComparison.Ordinal)).ToList();
        if (stages.Count > 0)
        {
            var slowest = stages.MaxBy(s => s.P99Ms)!;
            var stage = slowest.Series.Split(' ').First(w => w is "read" or "decode" or "durable");
            line(f($"Under load the probes' slowest stage at p99 was **{stage}** (p99 ≤ {StagePercentiles.Bound(slowest.P99Ms)} ms; the whole acknowledgement's p99 {Loaded.AckP99:N0} ms)."));
        }

        if (IdleGc is { } idleGc && LoadedGc is { } loadedGc)
        {
            line(f($"The server's GC (a pause holds every stage at once) over the idle probes: {idleGc.Collections} collections ({idleGc.Gen2} gen 2), paused {idleGc.PauseMs:N0} ms in all;"));
            line(f($"under load: {loadedGc.Collections} collections ({loadedGc.Gen2} gen 2), paused {loadedGc.PauseMs:N0} ms in all, {(loadedGc.Collections == 0 ? 0 : loadedGc.PauseMs / loadedGc.Collections):N1} ms each on average."));
        }

        line("");
    }

    private static string Halves(PhaseHalves h) =>
        string.Create(CultureInfo.InvariantCulture, $"{h.FirstMicrosPerSpan:0.00} / {h.SecondMicrosPerSpan:0.00} / {h.TailMicrosPerSpan:0.00}");

    private static string Percentiles(StagePercentiles s) =>
        $"{StagePercentiles.Bound(s.P50Ms)} / {StagePercentiles.Bound(s.P90Ms)} / {StagePercentiles.Bound(s.P99Ms)}";

    private static string Met(bool met) => met ? "MET" : "NOT MET";
}
