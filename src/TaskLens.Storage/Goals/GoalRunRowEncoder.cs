using TaskLens.Core.Goals;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Goals;

/// <summary>Encodes goal runs as RowBinary rows of the <c>goal_runs</c> table; order matches <see cref="Columns"/>.</summary>
internal static class GoalRunRowEncoder
{
    public const string Table = "goal_runs";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "goal_name", "run_id", "rule", "goal_span_id", "service_name", "outcome", "started", "ended",
        "start_time_unix_nano", "end_time_unix_nano", "duration_ns", "llm_calls", "tool_calls", "db_calls", "http_calls",
        "other_sub_tasks", "fan_out", "depth", "input_tokens", "output_tokens", "cached_tokens", "cost", "unpriced_calls",
        "errors", "first_error", "first_error_span_id", "throttled", "retries", "critical_path_ns",
        "critical_path_span_ids", "spans_not_tracked", "version", "finalized_at",
    ];

    public static void Encode(IReadOnlyList<GoalRun> runs, RowBinaryWriter writer, uint finalizedAtUnixSeconds)
    {
        foreach (var run in runs)
        {
            writer.WriteString(run.Tenant);
            writer.WriteString(run.GoalName);
            writer.WriteString(run.RunId);
            writer.WriteUInt8((byte)run.Rule);
            writer.WriteUInt64BigEndian(run.GoalSpanId);
            writer.WriteString(run.Service);
            writer.WriteUInt8((byte)run.Outcome);
            writer.WriteDateTime(TelemetryColumns.ToUnixSeconds(run.StartUnixNano));
            writer.WriteDateTime(TelemetryColumns.ToUnixSeconds(run.EndUnixNano));
            writer.WriteUInt64(run.StartUnixNano);
            writer.WriteUInt64(run.EndUnixNano);
            writer.WriteUInt64(run.DurationNano);
            writer.WriteUInt32((uint)run.LlmCalls);
            writer.WriteUInt32((uint)run.ToolCalls);
            writer.WriteUInt32((uint)run.DbCalls);
            writer.WriteUInt32((uint)run.HttpCalls);
            writer.WriteUInt32((uint)run.OtherSubTasks);
            writer.WriteUInt32((uint)run.FanOut);
            writer.WriteUInt32((uint)run.Depth);
            writer.WriteUInt64((ulong)run.InputTokens);
            writer.WriteUInt64((ulong)run.OutputTokens);
            writer.WriteUInt64((ulong)run.CachedTokens);
            if (run.Cost is { } cost)
            {
                writer.WriteUInt8(0);
                writer.WriteFloat64(cost);
            }
            else
            {
                writer.WriteUInt8(1); // RowBinary Nullable: 1 means NULL, no value follows
            }

            writer.WriteUInt32((uint)run.UnpricedCalls);
            writer.WriteUInt32((uint)run.Errors);
            writer.WriteString(run.FirstError);
            writer.WriteUInt64BigEndian(run.FirstErrorSpanId);
            writer.WriteUInt32((uint)run.Throttled);
            writer.WriteUInt32((uint)run.Retries);
            writer.WriteUInt64(run.CriticalPathNano);
            writer.WriteArrayLength(run.CriticalPathSpanIds.Count);
            foreach (var id in run.CriticalPathSpanIds)
            {
                writer.WriteUInt64BigEndian(id);
            }

            writer.WriteUInt32((uint)run.SpansNotTracked);
            writer.WriteUInt64(run.Version);
            writer.WriteDateTime(finalizedAtUnixSeconds);
        }
    }
}
