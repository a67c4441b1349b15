using System.Globalization;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Spans;

/// <summary>Reads the operation_minutes aggregate (kept by a materialized view over spans) per window or step.</summary>
internal sealed class OperationReader(ClickHouseClient client) : IOperationReader
{
    internal const string Figures = """
        uniqMerge(spans) AS o_spans, uniqIfMerge(errors) AS o_errors,
        quantilesTDigestMerge(0.5, 0.95, 0.99)(duration) AS o_duration
        """;

    public async Task<IReadOnlyList<OperationFigures>> OperationsAsync(
        string tenant, string service, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        await client.QueryAsync(
            $"SELECT name AS o_name, {Figures} FROM operation_minutes WHERE {Where(tenant, service, null, since, until)} GROUP BY o_name ORDER BY o_spans DESC, o_name",
            row => Read(row, service, row.GetString("o_name"), since, until - since),
            cancellationToken);

    public async Task<IReadOnlyList<OperationFigures>> AllOperationsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT service_name AS o_service, name AS o_name, {Figures} FROM operation_minutes
                WHERE tenant = {ClickHouseSql.Literal(tenant)} AND minute >= toDateTime({since.ToUnixTimeSeconds()}) AND minute < toDateTime({until.ToUnixTimeSeconds()})
                GROUP BY o_service, o_name ORDER BY o_service, o_spans DESC, o_name
                """),
            row => Read(row, row.GetString("o_service"), row.GetString("o_name"), since, until - since),
            cancellationToken);

    public async Task<IReadOnlyList<OperationFigures>> SeriesAsync(
        string tenant, string service, string? operation, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var seconds = ClickHouseSql.BucketSeconds(bucket);
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT intDiv(toUInt32(minute), {seconds}) * {seconds} AS o_bucket, {Figures}
                FROM operation_minutes WHERE {Where(tenant, service, operation, since, until)}
                GROUP BY o_bucket ORDER BY o_bucket
                """),
            row => Read(row, service, operation ?? "", DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("o_bucket")), TimeSpan.FromSeconds(seconds)),
            cancellationToken);
    }

    private static string Where(string tenant, string service, string? operation, DateTimeOffset since, DateTimeOffset until) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(tenant)} AND service_name = {ClickHouseSql.Literal(service)}{(operation is null ? "" : " AND name = " + ClickHouseSql.Literal(operation))}
              AND minute >= toDateTime({since.ToUnixTimeSeconds()}) AND minute < toDateTime({until.ToUnixTimeSeconds()})
            """);

    private static OperationFigures Read(ClickHouseRow row, string service, string operation, DateTimeOffset time, TimeSpan span)
    {
        var q = row.GetDoubleArray("o_duration");
        return new OperationFigures
        {
            Service = service,
            Operation = operation,
            Time = time,
            Span = span,
            Spans = row.GetInt64("o_spans"),
            Errors = row.GetInt64("o_errors"),
            DurationP50Ms = q[0] / 1e6,
            DurationP95Ms = q[1] / 1e6,
            DurationP99Ms = q[2] / 1e6,
        };
    }
}
