namespace TaskLens.Ingest.Otlp;

/// <summary>The three OTLP signals, with where each is served and how its answers are named.</summary>
public sealed record OtlpSignal(string Name, string HttpPath, string GrpcPath, string RequestMessage, string RejectedJsonKey)
{
    public static readonly OtlpSignal Traces = new(
        "traces", "/v1/traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "ExportTraceServiceRequest", "rejectedSpans");

    public static readonly OtlpSignal Logs = new(
        "logs", "/v1/logs", "/opentelemetry.proto.collector.logs.v1.LogsService/Export", "ExportLogsServiceRequest", "rejectedLogRecords");

    public static readonly OtlpSignal Metrics = new(
        "metrics", "/v1/metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "ExportMetricsServiceRequest", "rejectedDataPoints");

    public static readonly IReadOnlyList<OtlpSignal> All = [Traces, Logs, Metrics];

    public static OtlpSignal? ByHttpPath(string? path) => All.FirstOrDefault(s => string.Equals(s.HttpPath, path, StringComparison.Ordinal));

    public static OtlpSignal? ByGrpcPath(string? path) => All.FirstOrDefault(s => string.Equals(s.GrpcPath, path, StringComparison.Ordinal));
}
