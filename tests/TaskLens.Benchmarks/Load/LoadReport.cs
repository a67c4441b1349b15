using System.Globalization;
using System.Text;

namespace TaskLens.Benchmarks.Load;

/// <summary>What one load run measured, with the targets of the ingest issue beside each figure.</summary>
internal sealed record LoadReport(
    int SpansSent,
    ulong SpansStored,
    double EndToEndSpansPerSecond,
    double CpuMicrosPerSpan,
    double FirstPassCpuMicrosPerSpan,
    double CeilingSpansPerSecond,
    double RatioToCeiling,
    double BurstAckP50Ms,
    double BurstAckP99Ms,
    double BurstQueryableP50Ms,
    double PeakRssMiB,
    OverloadReport Overload)
{
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Row(string what, string value, string target) => text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {value} | {target} |");
        text.AppendLine("| measure | this run | target |");
        text.AppendLine("| --- | ---: | --- |");
        Row("spans sent / stored (sustained phase)", $"{SpansSent:N0} / {SpansStored:N0}", "equal (zero loss)");
        Row("end-to-end ingest, OTLP/HTTP → ClickHouse (spans/s)", $"{EndToEndSpansPerSecond:N0}", "");
        Row("ceiling: clickhouse-client RowBinary insert of the same rows (spans/s)", $"{CeilingSpansPerSecond:N0}", "");
        Row("end-to-end ÷ ceiling", $"{RatioToCeiling:0.00}", "≥ 0.5");
        Row("TaskLens CPU per span (µs, server process only, until spans and goal runs are stored)", $"{CpuMicrosPerSpan:0.00}", "≤ 5");
        Row("the same, first pass after start (tiered JIT still compiling; not the running cost)", $"{FirstPassCpuMicrosPerSpan:0.00}", "");
        Row("5,000-span export: ack latency p50 / p99 (ms)", $"{BurstAckP50Ms:0} / {BurstAckP99Ms:0}", "p99 ≤ 100");
        Row("5,000-span export: queryable after (ms, p50)", $"{BurstQueryableP50Ms:0}", "");
        Row("peak RSS during the sustained phase (MiB)", $"{PeakRssMiB:0}", "");
        var o = Overload;
        Row($"overload: {o.Factor}× the end-to-end rate for {o.Seconds:0} s, spans offered", $"{o.SpansOffered:N0}", "");
        Row("overload: spans dropped by the exporters' own full queues (never sent)", $"{o.SpansDroppedByClients:N0}", "");
        Row("overload: refusals 429 / 503 (all with Retry-After?)", $"{o.TooManyRequests:N0} / {o.ServiceUnavailable:N0} ({(o.RefusalsWithoutRetryHint == 0 ? "yes" : $"{o.RefusalsWithoutRetryHint:N0} without")})", "retry hints on every refusal");
        Row("overload: spans acknowledged / in ClickHouse after retries", $"{o.SpansAcknowledged:N0} / {o.SpansStored:N0}", "equal (zero loss)");
        Row("overload: peak RSS of TaskLens (MiB)", $"{o.PeakRssMiB:0}", "≤ 1024");
        Row("overload: client retrying after the phase / spool drain after that (s)", $"{o.ClientRetrySecondsAfterPhase:0.0} / {o.DrainSecondsAfterRetries:0.0}", "");
        return text.ToString();
    }
}
