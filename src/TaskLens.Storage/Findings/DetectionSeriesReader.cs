using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Goals;
using TaskLens.Storage.Spans;

namespace TaskLens.Storage.Findings;

/// <summary>
/// The series continuous detection reads, every tenant, goal and service in one query each: goal figures from
/// <c>goal_runs FINAL</c> by end-time bucket (as the goal series API), RED per service from <c>operation_minutes</c>.
/// </summary>
internal sealed class DetectionSeriesReader(ClickHouseClient client) : IDetectionSeriesReader
{
    public async Task<IReadOnlyList<GoalBucket>> GoalBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var seconds = ClickHouseSql.BucketSeconds(bucket);
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT tenant AS f_tenant, goal_name, intDiv(toUInt32(ended), {seconds}) * {seconds} AS f_bucket, {GoalReader.Figures}
                FROM goal_runs FINAL
                WHERE ended >= toDateTime({since.ToUnixTimeSeconds()}) AND ended < toDateTime({until.ToUnixTimeSeconds()})
                GROUP BY f_tenant, goal_name, f_bucket ORDER BY f_bucket, f_tenant, goal_name
                """),
            row => new GoalBucket(row.GetString("f_tenant"), GoalReader.ReadFigures(row, DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("f_bucket")))),
            cancellationToken);
    }

    public async Task<IReadOnlyList<ServiceBucket>> ServiceBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var seconds = ClickHouseSql.BucketSeconds(bucket);
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT tenant AS o_tenant, service_name AS o_service, intDiv(toUInt32(minute), {seconds}) * {seconds} AS o_bucket, {OperationReader.Figures}
                FROM operation_minutes
                WHERE minute >= toDateTime({since.ToUnixTimeSeconds()}) AND minute < toDateTime({until.ToUnixTimeSeconds()})
                GROUP BY o_tenant, o_service, o_bucket ORDER BY o_bucket, o_tenant, o_service
                """),
            row => new ServiceBucket(
                row.GetString("o_tenant"),
                row.GetString("o_service"),
                DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("o_bucket")),
                row.GetInt64("o_spans"),
                row.GetInt64("o_errors"),
                row.GetDoubleArray("o_duration")[1] / 1e6),
            cancellationToken);
    }
}
