using System.Globalization;
using System.Text.Json;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Spans;

/// <summary>Reads traces and service summaries back from the spans table.</summary>
internal sealed class TraceReader(ClickHouseClient client, TimeProvider time) : ITraceReader
{
    /// <summary>
    /// A trace that starts this long after spans_by_trace became complete is read from it. The margin covers spans stored
    /// before that time whose clocks ran ahead of it (their timestamps lie in the future): they are in spans only.
    /// </summary>
    private static readonly TimeSpan LayoutMargin = TimeSpan.FromHours(1);

    /// <summary>How long the layout's start is remembered; an operator who copies older spans over lowers it (docs/ingest.md).</summary>
    private static readonly TimeSpan LayoutRecheck = TimeSpan.FromMinutes(1);

    private (long FirstTrace, DateTimeOffset CheckedAt)? _byTrace;

    // Aliases differ from column names on purpose: a ClickHouse alias shadows the column of the same name
    // everywhere in the query, WHERE included.
    private const string SpanColumns = """
        lower(hex(trace_id)) AS trace_id_hex, lower(hex(span_id)) AS span_id_hex,
        lower(hex(parent_span_id)) AS parent_span_id_hex, trace_state, flags, name, kind,
        start_time_unix_nano, end_time_unix_nano, status_code, status_message, service_name,
        attr_keys, attr_types, attr_values, dropped_attributes_count,
        event_times, event_names, event_attr_keys, event_attr_types, event_attr_values,
        event_dropped_attributes_counts, dropped_events_count,
        arrayMap(x -> lower(hex(x)), link_trace_ids) AS link_trace_ids_hex,
        arrayMap(x -> lower(hex(x)), link_span_ids) AS link_span_ids_hex,
        link_trace_states, link_flags, link_attr_keys, link_attr_types, link_attr_values,
        link_dropped_attributes_counts, dropped_links_count,
        resource_attr_keys, resource_attr_types, resource_attr_values, resource_dropped_attributes_count,
        resource_schema_url, scope_name, scope_version, scope_attr_keys, scope_attr_types, scope_attr_values,
        scope_dropped_attributes_count, scope_schema_url
        """;

    public async Task<IReadOnlyList<StoredSpan>> GetTraceAsync(string tenant, TraceId traceId, int offset, int limit, CancellationToken cancellationToken)
    {
        // LIMIT 1 BY folds copies of a span that a retried export stored twice and that no merge has folded yet.
        var read = string.Create(CultureInfo.InvariantCulture, $$"""
            SELECT {{SpanColumns}}
            FROM {0}
            {1}
            ORDER BY start_time_unix_nano, span_id
            LIMIT 1 BY span_id
            LIMIT {{Math.Max(0, offset)}}, {{Math.Max(1, limit)}}
            """);
        return await ReadAsync(tenant, traceId, read, ReadSpan, cancellationToken);
    }

    public async Task<long> CountSpansAsync(string tenant, TraceId traceId, CancellationToken cancellationToken)
    {
        // Distinct span ids, as the read folds copies of a span a retried export stored twice; from the same table the read uses.
        var counts = await ReadAsync(tenant, traceId, "SELECT uniqExact(span_id) AS n FROM {0} {1}", row => row.GetUInt64("n"), cancellationToken);
        return counts.Count == 0 ? 0 : (long)counts[0];
    }

    /// <summary>
    /// Runs <paramref name="select"/> (<c>{0}</c> the table, <c>{1}</c> the filter on tenant and trace) over the table that
    /// holds the whole trace: <c>spans_by_trace</c>, ordered by trace id, in one round trip; <c>spans</c> (ordered by
    /// service and time) only for a trace that started before <c>spans_by_trace</c> held every span.
    /// </summary>
    /// <remarks>
    /// The trace is a PREWHERE, so ClickHouse selects granules by the primary key, reads the key columns of those first and
    /// the wide columns (attributes, events, resource) only of the granules where the trace really is. The time bounds
    /// come from <c>trace_index</c> as scalar subqueries, which ClickHouse (18.16 too) runs before it picks parts: parts
    /// written outside the trace's time range are skipped by their min/max time, where without the bounds every part
    /// would give up a granule (measured: 1,024 rows read instead of 4,096 over four parts, docs/ingest.md#trace-by-id).
    /// </remarks>
    private async Task<List<T>> ReadAsync<T>(string tenant, TraceId traceId, string select, Func<ClickHouseRow, T> map, CancellationToken cancellationToken)
    {
        var trace = $"tenant = {ClickHouseSql.Literal(tenant)} AND trace_id = unhex('{traceId}')";
        var byTrace = string.Format(
            CultureInfo.InvariantCulture,
            select,
            "spans_by_trace",
            $"PREWHERE {trace} WHERE timestamp >= (SELECT min(start) FROM trace_index WHERE {trace}) AND timestamp <= (SELECT max(end) FROM trace_index WHERE {trace})");
        var layoutFrom = await ByTraceFromAsync(cancellationToken);
        if (layoutFrom == 0)
        {
            return await client.QueryAsync(byTrace, map, cancellationToken);
        }

        // An install older than the layout: whether the trace started late enough for spans_by_trace to hold it whole
        // comes from trace_index, asked at the same time as the read, so a lookup still takes one round trip's time.
        var rangeRead = TimeRangeAsync(trace, cancellationToken);
        var rowsRead = client.QueryAsync(byTrace, map, cancellationToken);
        await Task.WhenAll(rangeRead, rowsRead);
        if (await rangeRead is not { } range)
        {
            return [];
        }

        var (first, last) = range;
        if (first >= layoutFrom)
        {
            return await rowsRead;
        }

        var bounded = string.Create(CultureInfo.InvariantCulture, $"WHERE {trace} AND timestamp >= toDateTime({first}) AND timestamp <= toDateTime({last})");
        return await client.QueryAsync(string.Format(CultureInfo.InvariantCulture, select, "spans", bounded), map, cancellationToken);
    }

    /// <summary>The trace's first and last second from the trace index (which bounds the partitions read), or null when unknown.</summary>
    private async Task<(uint First, uint Last)?> TimeRangeAsync(string trace, CancellationToken cancellationToken)
    {
        var ranges = await client.QueryAsync(
            $"SELECT count() AS n, toUnixTimestamp(min(start)) AS first, toUnixTimestamp(max(end)) AS last FROM trace_index WHERE {trace}",
            row => (Count: row.GetUInt64("n"), First: row.GetUInt32("first"), Last: row.GetUInt32("last")),
            cancellationToken);
        return ranges.Count == 0 || ranges[0].Count == 0 ? null : (ranges[0].First, ranges[0].Last);
    }

    /// <summary>The earliest trace start (unix seconds) whose spans spans_by_trace holds in full; long.MaxValue before its migration.</summary>
    private async Task<long> ByTraceFromAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_byTrace is { } known && now - known.CheckedAt < LayoutRecheck)
        {
            return known.FirstTrace;
        }

        var rows = await client.QueryAsync(
            "SELECT count() AS n, toUnixTimestamp(min(complete_from)) AS s_from FROM span_layouts WHERE layout = 'spans_by_trace'",
            row => (Count: row.GetUInt64("n"), From: row.GetInt64("s_from")),
            cancellationToken);
        var from = rows.Count == 0 || rows[0].Count == 0 ? long.MaxValue
            : rows[0].From == 0 ? 0
            : rows[0].From + (long)LayoutMargin.TotalSeconds;
        _byTrace = (from, now);
        return from;
    }

    public async Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(string tenant, CancellationToken cancellationToken)
    {
        // From the per-minute rollup, not the spans: a scan of every span (FINAL, to fold retried copies) grew with the
        // whole history and ran on every visit of the services page. uniq counts a retried span once (exact to 65,536
        // per operation and minute, within about 1% beyond); last seen is to the minute.
        var sql = $"""
            SELECT service_name, uniqMerge(spans) AS s_spans, toUnixTimestamp(max(minute)) AS s_last
            FROM operation_minutes
            WHERE tenant = {ClickHouseSql.Literal(tenant)}
            GROUP BY service_name
            ORDER BY service_name
            """;
        return await client.QueryAsync(
            sql,
            row => new ServiceSummary(row.GetString("service_name"), row.GetUInt64("s_spans"), DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("s_last"))),
            cancellationToken);
    }

    /// <remarks>
    /// Only server and consumer spans (OTLP kinds 2 and 5) are looked up by parent: that is how instrumentations record a
    /// call arriving from another service, and it keeps the join small under agent bursts: the caller side is cut to
    /// the parents of those spans by their ids before it is joined. The tenant is in every part of the join, so only
    /// that tenant's granules are read (the spans table is sorted by tenant first) and no other tenant's calls come back.
    /// </remarks>
    public async Task<IReadOnlyList<ServiceLink>> ServiceLinksAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var window = string.Create(CultureInfo.InvariantCulture, $"tenant = {ClickHouseSql.Literal(tenant)} AND timestamp >= toDateTime({since.ToUnixTimeSeconds()})");
        var sql = $"""
            SELECT caller, callee, count() AS calls
            FROM
            (
                SELECT trace_id, span_id, service_name AS caller FROM spans
                WHERE {window} AND span_id IN (SELECT parent_span_id FROM spans WHERE {window} AND kind IN (2, 5))
            )
            ALL INNER JOIN
            (
                SELECT trace_id, parent_span_id AS span_id, service_name AS callee FROM spans WHERE {window} AND kind IN (2, 5)
            )
            USING (trace_id, span_id)
            WHERE caller != callee
            GROUP BY caller, callee
            """;
        return await client.QueryAsync(
            sql, row => new ServiceLink(tenant, row.GetString("caller"), row.GetString("callee"), row.GetInt64("calls")), cancellationToken);
    }

    public async Task<IReadOnlyList<SampleTrace>> ErrorTracesAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, int perService, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", services.Select(s => ClickHouseSql.Literal(s.ToLowerInvariant())));
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT service_name, lower(hex(trace_id)) AS trace_id_hex, any(name) AS span_name, any(status_message) AS message,
                   toUInt32(max(timestamp)) AS last_at
            FROM spans
            WHERE tenant = {ClickHouseSql.Literal(tenant)} AND lower(service_name) IN ({names}) AND status_code = 2
              AND timestamp >= toDateTime({since.ToUnixTimeSeconds()}) AND timestamp < toDateTime({until.ToUnixTimeSeconds()})
            GROUP BY service_name, trace_id
            ORDER BY last_at DESC
            LIMIT {Math.Clamp(perService, 1, 20)} BY service_name
            """);
        return await client.QueryAsync(
            sql,
            row => new SampleTrace(row.GetString("service_name"), row.GetString("trace_id_hex"), row.GetString("span_name"), row.GetString("message"),
                DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("last_at"))),
            cancellationToken);
    }

    private static StoredSpan ReadSpan(ClickHouseRow row)
    {
        var parent = row.GetString("parent_span_id_hex");
        return new StoredSpan
        {
            TraceId = row.GetString("trace_id_hex"),
            SpanId = row.GetString("span_id_hex"),
            ParentSpanId = TelemetryColumns.IdOrEmpty(parent),
            TraceState = row.GetString("trace_state"),
            Flags = row.GetUInt32("flags"),
            Name = row.GetString("name"),
            Kind = row.GetInt32("kind"),
            StartTimeUnixNano = row.GetUInt64("start_time_unix_nano"),
            EndTimeUnixNano = row.GetUInt64("end_time_unix_nano"),
            StatusCode = row.GetInt32("status_code"),
            StatusMessage = row.GetString("status_message"),
            ServiceName = row.GetString("service_name"),
            Attributes = TelemetryColumns.ReadAttributes(row, "attr_"),
            DroppedAttributesCount = row.GetUInt32("dropped_attributes_count"),
            Events = ReadEvents(row),
            DroppedEventsCount = row.GetUInt32("dropped_events_count"),
            Links = ReadLinks(row),
            DroppedLinksCount = row.GetUInt32("dropped_links_count"),
            Resource = TelemetryColumns.ReadResource(row),
            Scope = TelemetryColumns.ReadScope(row),
        };
    }

    private static List<StoredEvent> ReadEvents(ClickHouseRow row)
    {
        var times = row.GetArray("event_times");
        var names = row.GetArray("event_names");
        var keys = row.GetArray("event_attr_keys");
        var types = row.GetArray("event_attr_types");
        var values = row.GetArray("event_attr_values");
        var dropped = row.GetArray("event_dropped_attributes_counts");
        var events = new List<StoredEvent>(times.GetArrayLength());
        for (var i = 0; i < times.GetArrayLength(); i++)
        {
            events.Add(new StoredEvent(
                TelemetryColumns.ReadNumber(times[i]),
                names[i].GetString() ?? string.Empty,
                TelemetryColumns.Zip(keys[i], types[i], values[i]),
                (uint)TelemetryColumns.ReadNumber(dropped[i])));
        }

        return events;
    }

    private static List<StoredLink> ReadLinks(ClickHouseRow row)
    {
        var traceIds = row.GetArray("link_trace_ids_hex");
        var spanIds = row.GetArray("link_span_ids_hex");
        var states = row.GetArray("link_trace_states");
        var flags = row.GetArray("link_flags");
        var keys = row.GetArray("link_attr_keys");
        var types = row.GetArray("link_attr_types");
        var values = row.GetArray("link_attr_values");
        var dropped = row.GetArray("link_dropped_attributes_counts");
        var links = new List<StoredLink>(traceIds.GetArrayLength());
        for (var i = 0; i < traceIds.GetArrayLength(); i++)
        {
            links.Add(new StoredLink(
                traceIds[i].GetString() ?? string.Empty,
                spanIds[i].GetString() ?? string.Empty,
                states[i].GetString() ?? string.Empty,
                (uint)TelemetryColumns.ReadNumber(flags[i]),
                TelemetryColumns.Zip(keys[i], types[i], values[i]),
                (uint)TelemetryColumns.ReadNumber(dropped[i])));
        }

        return links;
    }
}
