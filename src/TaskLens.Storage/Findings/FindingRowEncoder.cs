using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Findings;

/// <summary>Encodes findings as RowBinary rows of the <c>alerts</c> table; order matches <see cref="Columns"/>.</summary>
internal static class FindingRowEncoder
{
    public const string Table = "alerts";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "id", "source", "fingerprint", "severity", "status", "scope", "subject", "metric", "observed", "expected",
        "lower", "upper", "score", "detector", "window_start", "window_end", "raised_at", "summary", "reason", "sample_run_ids",
    ];

    public static void Encode(IReadOnlyList<Finding> findings, RowBinaryWriter writer)
    {
        foreach (var finding in findings)
        {
            writer.WriteString(finding.Tenant);
            writer.WriteString(finding.Id);
            writer.WriteString(finding.Source);
            writer.WriteString(finding.Fingerprint);
            writer.WriteUInt8((byte)finding.Severity);
            writer.WriteUInt8((byte)finding.Status);
            writer.WriteString(finding.Scope);
            writer.WriteString(finding.Subject);
            writer.WriteString(finding.Metric);
            writer.WriteFloat64(finding.Observed);
            writer.WriteFloat64(finding.Expected);
            writer.WriteFloat64(finding.Lower);
            writer.WriteFloat64(finding.Upper);
            writer.WriteFloat64(finding.Score);
            writer.WriteString(finding.Detector);
            writer.WriteDateTime(finding.WindowStart);
            writer.WriteDateTime(finding.WindowEnd);
            writer.WriteDateTime(finding.RaisedAt);
            writer.WriteString(finding.Summary);
            writer.WriteString(finding.Reason);
            writer.WriteStringArray(finding.SampleRunIds);
        }
    }
}
