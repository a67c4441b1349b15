using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Findings;

/// <summary>Encodes alerts as RowBinary rows of the <c>alerts</c> table; order matches <see cref="Columns"/>.</summary>
internal static class FindingRowEncoder
{
    public const string Table = "alerts";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "id", "source", "fingerprint", "severity", "status", "scope", "subject", "metric", "observed", "expected",
        "lower", "upper", "score", "detector", "window_start", "window_end", "raised_at", "summary", "reason", "sample_run_ids",
    ];

    public static void Encode(IReadOnlyList<Finding> alerts, RowBinaryWriter writer)
    {
        foreach (var alert in alerts)
        {
            writer.WriteString(alert.Tenant);
            writer.WriteString(alert.Id);
            writer.WriteString(alert.Source);
            writer.WriteString(alert.Fingerprint);
            writer.WriteUInt8((byte)alert.Severity);
            writer.WriteUInt8((byte)alert.Status);
            writer.WriteString(alert.Scope);
            writer.WriteString(alert.Subject);
            writer.WriteString(alert.Metric);
            writer.WriteFloat64(alert.Observed);
            writer.WriteFloat64(alert.Expected);
            writer.WriteFloat64(alert.Lower);
            writer.WriteFloat64(alert.Upper);
            writer.WriteFloat64(alert.Score);
            writer.WriteString(alert.Detector);
            writer.WriteDateTime(alert.WindowStart);
            writer.WriteDateTime(alert.WindowEnd);
            writer.WriteDateTime(alert.RaisedAt);
            writer.WriteString(alert.Summary);
            writer.WriteString(alert.Reason);
            writer.WriteStringArray(alert.SampleRunIds);
        }
    }
}
